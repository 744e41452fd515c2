"""Real servers for tests and for bench/: gunicorn on a free loopback port, started and stopped.

bench/ imports this module too (bench/databases.py puts the project root on sys.path), so
there is one way to start, wait for and stop a server.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
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


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30,
                  any_answer: bool = False) -> None:
    """Poll /healthz until it answers 2xx (with `any_answer`, anything at all: the bench's raw
    app has no /healthz and answers 404)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                return
        except urllib.error.HTTPError:
            if any_answer:
                return
            time.sleep(0.1)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up in {seconds}s")


@contextmanager
def gunicorn_process(env: Mapping[str, str], *options: str, app: str = "wsgi:app",
                     workers: int = 2, log: Path | None = None,
                     any_answer: bool = False) -> Iterator[tuple[str, subprocess.Popen]]:
    """`gunicorn <app>` on a free loopback port, run from the project's root (so with its
    gunicorn.conf.py); yields its base URL and process, then stops it. The log is appended to,
    so several servers can share one."""
    port = free_port()
    command = [str(BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--no-control-socket", *options]
    with open(log or os.devnull, "ab") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=dict(env), stdout=output, stderr=output)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, process, any_answer=any_answer)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def gunicorn(env: Mapping[str, str], *options: str, workers: int = 2,
             log: Path | None = None) -> Iterator[str]:
    """`gunicorn wsgi:app` on a free port; yields its base URL, then stops it."""
    with gunicorn_process(env, *options, workers=workers, log=log) as (url, _process):
        yield url
