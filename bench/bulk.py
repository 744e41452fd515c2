"""Bulk work as deployed: export of 1,000,000 customers and import of 100,000 rows, each
through `gunicorn wsgi:app` (one worker, so its memory is the request's), on SQLite and
PostgreSQL. Prints time, time to first byte and the worker's peak RSS before and after.

    .venv/bin/python bench/bulk.py [--rows 1000000] [--import-rows 100000] [--only sqlite]
"""
from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from databases import BIN, ROOT, drop_postgres, environment, postgres_database, sqlite_database, write_token
from load import free_port


def peak_rss_mib(pid: int) -> float:
    """A process's peak resident memory so far (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def worker_pid(master: int) -> int:
    """The one worker of a gunicorn master."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def serve(database_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    """`gunicorn wsgi:app`, one worker, a long timeout (an export of a million rows)."""
    port = free_port()
    env = {**environment(database_url), "IMPORT_MAX_BYTES": str(256 * 1024 * 1024)}
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "wsgi:app", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--timeout", "600", "--no-control-socket"], cwd=ROOT, env=env,
        stdout=log.open("ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                return process, url
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"gunicorn did not start; see {log}")
            time.sleep(0.2)


def export(url: str, token: str) -> tuple[float, float, int]:
    """Seconds to the first byte and in all, and how many rows came."""
    request = urllib.request.Request(f"{url}/customers/export", headers={
        "Authorization": f"Bearer {token}", "Accept": "text/csv"})
    started = time.perf_counter()
    first, lines = None, 0
    with urllib.request.urlopen(request, timeout=600) as response:
        while chunk := response.read(65536):
            first = first or time.perf_counter() - started
            lines += chunk.count(b"\r\n")
    return first or 0.0, time.perf_counter() - started, lines - 1


def import_rows(url: str, token: str, rows: int) -> tuple[float, bytes]:
    """Seconds to import `rows` new customers from one CSV; the answer."""
    lines = ["referenceId,addressCity,dateOfBirth,gender"]
    lines += [f"imp-{n},Cidade {n % 5000},19{50 + n % 50}-01-01,female" for n in range(rows)]
    request = urllib.request.Request(f"{url}/customers/import", "\n".join(lines).encode(),
                                     method="POST", headers={
                                         "Authorization": f"Bearer {token}",
                                         "Content-Type": "text/csv"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        answer = response.read()
    return time.perf_counter() - started, answer


def measure(name: str, database_url: str, rows: int, import_count: int, log: Path) -> None:
    """Both measurements on one database, printed as rows of the table."""
    token = write_token(database_url)
    process, url = serve(database_url, log)
    try:
        worker = worker_pid(process.pid)
        import_rows(url, token, 10)  # warm-up: imports, templates, connections
        before = peak_rss_mib(worker)
        first, seconds, exported = export(url, token)
        after_export = peak_rss_mib(worker)
        print(f"{name:<9} export {exported:>9,} rows {seconds:7.1f} s  first byte {first * 1000:6.0f} ms"
              f"  worker peak RSS {before:6.1f} -> {after_export:6.1f} MiB", flush=True)
        seconds, answer = import_rows(url, token, import_count)
        after_import = peak_rss_mib(worker)
        print(f"{name:<9} import {import_count:>9,} rows {seconds:7.1f} s  {answer.decode()}"
              f"  worker peak RSS {after_export:6.1f} -> {after_import:6.1f} MiB", flush=True)
    finally:
        process.terminate()
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as folder:
        log = Path(folder) / "gunicorn.log"
        if options.only in (None, "sqlite"):
            url = sqlite_database(Path(folder), options.rows)
            measure("sqlite", url, options.rows, options.import_rows, log)
        if options.only in (None, "postgres"):
            url = postgres_database(options.rows)
            try:
                measure("postgres", url, options.rows, options.import_rows, log)
            finally:
                drop_postgres(url)


if __name__ == "__main__":
    main()
