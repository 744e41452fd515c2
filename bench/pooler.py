"""PgBouncer in transaction mode (its defaults otherwise) in front of the bench's PostgreSQL."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from tests.servers import free_port  # bench/databases.py put the project root on sys.path

CONFIG = """\
[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir = {folder}
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
; Both servers' workers (ours: up to 10 connections each) and the bench's own clients.
max_client_conn = 200
pidfile = {folder}/pgbouncer.pid
logfile = {folder}/pgbouncer.log
"""


@contextmanager
def pgbouncer(server_url: str) -> Iterator[int]:
    """PgBouncer pooling every database of the server at `server_url`; yields its port."""
    program = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(program).exists():
        raise RuntimeError("pgbouncer is not installed (Debian package pgbouncer)")
    server = urlsplit(server_url)
    folder, listen = Path(tempfile.mkdtemp(prefix="customers-bench-pgbouncer-")), free_port()
    (folder / "userlist.txt").write_text(f'"{server.username or "postgres"}" ""\n')
    config = folder / "pgbouncer.ini"
    config.write_text(CONFIG.format(host=server.hostname, port=server.port or 5432, listen=listen,
                                    folder=folder))
    command = [program, str(config)]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        for path in (folder, *folder.iterdir()):
            shutil.chown(path, "postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(listen, process)
        yield listen
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def through(url: str, port: int) -> str:
    """The same database URL, by way of the PgBouncer listening on `port`."""
    parts = urlsplit(url)
    return parts._replace(netloc=f"{parts.username or 'postgres'}@127.0.0.1:{port}").geturl()


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 10) -> None:
    """Until PgBouncer accepts connections."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("pgbouncer exited at start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"pgbouncer did not listen on {port}")
