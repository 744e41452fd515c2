"""Servers under test (gunicorn, 2 workers) and the load process that drives them (wrk)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from databases import BIN, ROOT, environment

SCRIPT = Path(__file__).resolve().parent / "load.lua"
# Ours exactly as deployed; the yardstick by the same gunicorn, settings and worker count.
APPS = {"ours": ["wsgi:app"], "raw": ["raw_wsgi:app", "--pythonpath", "bench"]}


@dataclass
class Result:
    """One wrk run."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_us: float = 0.0  # worker CPU per request

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app: str, database_url: str, log: Path) -> Iterator["Server"]:
    """`gunicorn <app>` with 2 workers on a free port, stopped afterwards."""
    port = free_port()
    command = [str(BIN / "gunicorn"), *APPS[app], "--bind", f"127.0.0.1:{port}", "--workers", "2",
               "--no-control-socket"]
    with open(log, "ab") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=environment(database_url),
                                   stdout=output, stderr=output)
        server = Server(f"http://127.0.0.1:{port}", process)
        try:
            server.wait_until_up(app)
            yield server
        finally:
            process.terminate()
            process.wait(timeout=30)


@dataclass
class Server:
    url: str
    process: subprocess.Popen

    def wait_until_up(self, app: str, seconds: float = 30) -> None:
        """Poll until the server answers anything (the raw app answers 404 to GET /)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{app} server exited with {self.process.returncode}")
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).close()
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{app} server did not come up")

    def workers(self) -> dict[int, list[str]]:
        """The worker processes (children of the master) and their /proc stat fields."""
        found = {}
        for entry in Path("/proc").iterdir():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    found[int(entry.name)] = fields
            except (OSError, ValueError, IndexError):
                continue
        return found

    def worker_memory_kib(self) -> dict[int, int]:
        """Resident memory of each worker process."""
        memory = {}
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            memory[pid] = int(next(l for l in status.splitlines() if l.startswith("VmRSS")).split()[1])
        return memory

    def worker_cpu_seconds(self) -> float:
        """User and system CPU time of all workers: unlike throughput, it does not depend
        on what else the machine runs."""
        ticks = sum(int(fields[11]) + int(fields[12]) for fields in self.workers().values())
        return ticks / os.sysconf("SC_CLK_TCK")


def wrk(server: Server, mode: str, token: str, rows: int, seconds: float, refs: int,
        check: bool = True) -> Result | None:
    """Drive a server with one kind of request; raise if any answer was not 2xx."""
    env = {**os.environ, "BENCH_MODE": mode, "BENCH_TOKEN": token, "BENCH_IDS": str(rows),
           "BENCH_REFS": str(refs)}
    threads, connections = os.environ.get("BENCH_WRK", "1x4").split("x")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "-s", str(SCRIPT),
               server.url]
    cpu = server.worker_cpu_seconds()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
    cpu = server.worker_cpu_seconds() - cpu
    line = next((l for l in done.stdout.splitlines() if l.startswith("BENCH ")), None)
    if not check:
        return None
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk {mode} against {server.url} failed:\n{done.stdout}\n{done.stderr}")
    data = json.loads(line[len("BENCH "):])
    return Result(data["requests"], data["duration_us"] / 1e6, data["p50_us"] / 1e3,
                  data["p99_us"] / 1e3, cpu / max(data["requests"], 1) * 1e6)
