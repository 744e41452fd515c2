"""p50/p99 of PUT /customers/{id} while a webhook receiver stalls, beside the same without one.

    .venv/bin/python bench/webhooks_stall.py                     # SQLite, 10 s a phase
    .venv/bin/python bench/webhooks_stall.py --database postgres --seconds 20 --stall 30

Starts gunicorn (2 workers) and `flask webhooks run` on a fresh database, then PUTs from
--clients threads for --seconds in each of three phases: no webhook; a webhook whose receiver
answers at once; the same receiver stalling every request for --stall seconds (the worker's
default 10 s timeout applies, so each message is retried). Deliveries are out of the request
path: the third phase should look like the second.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.loadgen import Connection  # noqa: E402
from tests.receiver import receiver  # noqa: E402
from tests.servers import BIN, flask_command, gunicorn, server_environment  # noqa: E402


def main() -> int:
    options = arguments()
    folder = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    try:
        url = database(options.database, folder)
        env = server_environment(url)
        flask_command(env, "db", "upgrade")
        token = flask_command(env, "tokens", "create", "bench", "--scope", "write").split()[-1]
        with receiver() as hook, gunicorn(env, log=folder / "gunicorn.log") as base:
            ids = create(base, token, options.clients)
            worker = subprocess.Popen([str(BIN / "flask"), "--app", "app", "webhooks", "run"],
                                      cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                      stderr=open(folder / "worker.log", "wb"))
            try:
                report("no webhook", put_for(base, token, ids, options.seconds))
                flask_command(env, "webhooks", "add", hook.url)
                report("webhook, receiver answering", put_for(base, token, ids, options.seconds))
                hook.stall(options.stall)
                report(f"webhook, receiver stalled {options.stall:g} s",
                       put_for(base, token, ids, options.seconds))
                waiting = flask_command(env, "webhooks", "deliveries", "--limit", "1").splitlines()[0]
                print(f"receiver got {hook.arrivals} requests; {waiting}")
            finally:
                worker.terminate()
                hook.stall(0)
                worker.wait(30)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--stall", type=float, default=30)
    parser.add_argument("--clients", type=int, default=4)
    return parser.parse_args()


def database(kind: str, folder: Path) -> str:
    """A new empty database of this kind (PostgreSQL: a scratch database, left for reuse)."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'customers.sqlite3'}"
    import psycopg
    name = f"bench_webhooks_{int(time.time())}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def create(base: str, token: str, count: int) -> list[str]:
    """One record per client."""
    connection = Connection(base, token, timeout=30)
    ids = [json.loads(connection.send("POST", "/customers", {})[1])["id"] for _ in range(count)]
    connection.close()
    return ids


def put_for(base: str, token: str, ids: list[str], seconds: float) -> list[float]:
    """Latencies of every PUT of every client (each on its own record), for `seconds`."""
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    def client(record_id: str) -> None:
        connection, serial = Connection(base, token, timeout=60), 0
        while time.monotonic() < deadline:
            started = time.monotonic()
            status, body, _ = connection.send("PUT", f"/customers/{record_id}",
                                              {"addressStreet": f"Rua {serial}"})
            assert status == 200, body
            latencies.append(time.monotonic() - started)
            serial += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(record_id,)) for record_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def report(label: str, latencies: list[float]) -> None:
    """Requests, p50 and p99 in milliseconds."""
    ordered = sorted(latencies)
    p50, p99 = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.99)]
    print(f"{label:40} {len(ordered):6} PUTs  p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
