"""Servers under test (gunicorn, 2 workers) and the load process that drives them (wrk)."""
from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from databases import environment  # first: it puts the project root on sys.path
from tests.servers import gunicorn_process

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


@contextmanager
def gunicorn(app: str, database_url: str, log: Path) -> Iterator["Server"]:
    """`gunicorn <app>` with 2 workers on a free port, stopped afterwards."""
    name, *options = APPS[app]
    with gunicorn_process(environment(database_url), *options, app=name, log=log,
                          any_answer=app == "raw") as (url, process):
        yield Server(url, process)


@dataclass
class Server:
    """A running server: where it listens, and its master process."""

    url: str
    process: subprocess.Popen

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
