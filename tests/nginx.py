"""nginx as the reverse proxy in front of a test's gunicorn, everything inside one temp folder."""
from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import unavailable
from tests.servers import free_port

TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")

# The proxy block is the one the README's Deploy section shows; the rest keeps nginx in `folder`.
CONFIG = """\
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/access.log;
{temp_paths}
    # Keep the client's X-Request-ID, or make one, so both logs share it.
    map $http_x_request_id $customers_request_id {{
        default $http_x_request_id;
        "" $request_id;
    }}
    upstream customers {{
{servers}
        keepalive 8;
        keepalive_timeout 4s;  # below gunicorn's keepalive: never reuse one it is closing
    }}
    server {{
        listen 127.0.0.1:{http_port};
        listen 127.0.0.1:{https_port} ssl;
        ssl_certificate {folder}/cert.pem;
        ssl_certificate_key {folder}/key.pem;
        location / {{
            proxy_pass http://customers;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            # Overwrite every X-Forwarded-* ProxyFix reads: the client's own are never passed on.
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
            proxy_set_header X-Forwarded-Port $server_port;
            proxy_set_header X-Forwarded-Prefix "";
            proxy_set_header X-Request-ID $customers_request_id;
        }}
    }}
}}
"""


class Proxy:
    """Where nginx listens: plain HTTP and TLS (self-signed) on loopback ports."""

    def __init__(self, folder: Path):
        self.folder, self.http_port, self.https_port = folder, free_port(), free_port()

    def write_config(self, upstream: str | Sequence[str]) -> Path:
        """The nginx.conf for this folder, proxying to `upstream` (host:port, or several of
        them: one upstream, taken in turn)."""
        temp_paths = "\n".join(f"    {name}_temp_path {self.folder}/{name};" for name in TEMP_PATHS)
        hosts = [upstream] if isinstance(upstream, str) else list(upstream)
        servers = "\n".join(f"        server {host};" for host in hosts)
        path = self.folder / "nginx.conf"
        path.write_text(CONFIG.format(folder=self.folder, temp_paths=temp_paths, servers=servers,
                                      http_port=self.http_port, https_port=self.https_port))
        return path


def self_signed_certificate(folder: Path) -> None:
    """cert.pem and key.pem for TLS on the test's listener."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                    "/CN=customers.test", "-keyout", str(folder / "key.pem"), "-out",
                    str(folder / "cert.pem")], check=True, capture_output=True, timeout=30)


@contextmanager
def nginx(upstream: str | Sequence[str]) -> Iterator[Proxy]:
    """nginx in front of `upstream` (one host:port or several), in the foreground, stopped
    and removed afterwards."""
    binary = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None)
    if binary is None or shutil.which("openssl") is None:
        unavailable("proxy", "nginx or openssl is not installed")
    # Not pytest's tmp_path: its mode 700 would lock nginx's unprivileged workers out.
    folder = Path(tempfile.mkdtemp(prefix="customers-nginx-"))
    folder.chmod(0o755)
    proxy = Proxy(folder)
    self_signed_certificate(folder)
    config = proxy.write_config(upstream)
    with open(folder / "stderr.log", "wb") as stderr:
        process = subprocess.Popen([binary, "-c", str(config), "-e", str(folder / "error.log"),
                                    "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        wait_for_port(proxy.http_port, process, folder / "stderr.log")
        yield proxy
    finally:
        process.terminate()
        process.wait(timeout=15)
        shutil.rmtree(folder, ignore_errors=True)


def wait_for_port(port: int, process: subprocess.Popen, stderr: Path, seconds: float = 10) -> None:
    """Wait until something accepts connections on the loopback port."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {stderr.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {port} within {seconds}s")
