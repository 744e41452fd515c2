"""Real servers for tests: gunicorn on a free loopback port, started and stopped by the test."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The environment a deployed server gets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN_"))}
    env.update({"DATABASE_URL": database_url, "SECRET_KEY": "live-test-secret", **extra})
    return env


def flask_command(env: Mapping[str, str], *args: str) -> str:
    """Run `flask --app app ...` as an operator would; its output."""
    result = subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=dict(env),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 20) -> None:
    """Poll /healthz until it answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up in {seconds}s")


@contextmanager
def gunicorn(env: Mapping[str, str], *options: str, workers: int = 2,
             log: Path | None = None) -> Iterator[str]:
    """`gunicorn wsgi:app` on a free port; yields its base URL, then stops it."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "wsgi:app", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--no-control-socket", *options]
    output = open(log, "wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=ROOT, env=dict(env), stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            output.close()
