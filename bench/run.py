"""PUT /customers/{id} under load: our service against a hand-written WSGI yardstick.

    python bench/run.py [--seconds 5] [--sizes 10000,1000000] [--databases sqlite,postgres]

Starts `gunicorn wsgi:app` (2 workers, production settings) and `bench/raw_wsgi.py` under the
same gunicorn on each database and size, drives them alternately with wrk (bench/load.lua),
prints requests per second, p50 and p99 per case, the ratios against the targets, and exits
non-zero when a run saw a non-2xx answer (1) or a target was missed (2).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import databases
import pooler
from load import Server, gunicorn, wrk
from report import Measurements, print_report

BODY = {"addressCity": "Olinda", "gender": "other", "dateOfBirth": "1990-05-06"}


def main() -> int:
    """Seed, measure every case, print the table and the targets."""
    args = arguments()
    folder = Path(tempfile.mkdtemp(prefix="customers-bench-"))
    log = folder / "gunicorn.log"
    results: Measurements = {}
    try:
        # PgBouncer's case runs on the PostgreSQL databases, seeded once for both.
        for seeded in dict.fromkeys(SEEDED_AS[database] for database in args.databases):
            urls: dict[int, str] = {}
            try:
                for rows in args.sizes:
                    urls[rows] = seed(seeded, rows, folder)
                for database in (d for d in args.databases if SEEDED_AS[d] == seeded):
                    with reached(database, urls) as served:
                        measure(results, database, served, args.seconds, args.rounds, log)
                        if database == args.databases[0]:
                            results["memory"] = memory(served[args.sizes[0]], args.sizes[0],
                                                       args.memory_requests, log)
            finally:
                if seeded == "postgres":
                    for url in urls.values():
                        databases.drop_postgres(url)
    except Exception:
        print(f"servers' log: {log}", file=sys.stderr)
        raise
    shutil.rmtree(folder)
    return print_report(results, args)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5, help="length of each wrk run")
    parser.add_argument("--sizes", type=lambda s: [int(n) for n in s.split(",")],
                        default=[10_000, 1_000_000], help="customers seeded, comma-separated")
    parser.add_argument("--databases", type=lambda s: s.split(","),
                        default=["sqlite", "postgres", "pgbouncer"],
                        help="sqlite, postgres, pgbouncer (PostgreSQL through PgBouncer)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of every case, alternating servers and sizes")
    parser.add_argument("--memory-requests", type=int, default=100_000,
                        help="requests before the second reading of worker memory")
    return parser.parse_args()


# What each database case seeds: PgBouncer's pools the PostgreSQL databases.
SEEDED_AS = {"sqlite": "sqlite", "postgres": "postgres", "pgbouncer": "postgres"}


@contextmanager
def reached(database: str, urls: dict[int, str]) -> Iterator[dict[int, str]]:
    """The URLs the servers use: through a PgBouncer (transaction mode) for `pgbouncer`."""
    if database != "pgbouncer":
        yield urls
        return
    with pooler.pgbouncer(databases.ADMIN_URL) as port:
        yield {rows: pooler.through(url, port) for rows, url in urls.items()}


def seed(database: str, rows: int, folder: Path) -> str:
    """A migrated database with `rows` customers; its URL."""
    print(f"seeding {database} with {rows:,} customers ...", file=sys.stderr, flush=True)
    if database == "sqlite":
        return databases.sqlite_database(folder, rows)
    return databases.postgres_database(rows)


# Every case of one round, in the order they run. The rounds alternate ours and raw (A, B,
# A, B...) and the sizes, so every ratio compares runs that saw the same drift of the machine.
CASES = (("PUT json ours", "ours", "json"), ("PUT json raw", "raw", "json"),
         ("PUT xml ours", "ours", "xml"), ("PUT form ours", "ours", "form"),
         ("GET list ours", "ours", "list"), ("GET count ours", "ours", "count"))


def measure(results: Measurements, database: str, urls: dict[int, str], seconds: float,
            rounds: int, log: Path) -> None:
    """Both servers on every size of one database, up together; `rounds` rounds of every case."""
    with ExitStack() as stack:
        targets = {}
        for rows, url in urls.items():
            token, refs = databases.write_token(url), databases.references(rows)
            servers = {app: stack.enter_context(gunicorn(app, url, log)) for app in ("ours", "raw")}
            check_same_answer(servers["ours"], servers["raw"], token)
            for server in servers.values():  # until every worker has booted and warmed up
                wrk(server, "json", token, rows, 3, refs, check=False)
            targets[rows] = (servers, token, refs)
        for _ in range(rounds):
            for rows, (servers, token, refs) in targets.items():
                case = results.setdefault((database, rows), {})
                for name, app, mode in CASES:
                    result = wrk(servers[app], mode, token, rows, seconds, refs)
                    case.setdefault(name, []).append(result)
        print(f"  {database}: done", file=sys.stderr, flush=True)


def check_same_answer(ours: Server, raw: Server, token: str) -> None:
    """Both servers answer the same PUT with the same record, so the race is fair."""
    answers = []
    for server in (ours, raw):
        request = urllib.request.Request(
            f"{server.url}/customers/7", data=json.dumps(BODY).encode(), method="PUT",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            answers.append(json.load(response))
    if answers[0] != answers[1]:
        raise RuntimeError(f"the two servers answer differently:\n{answers[0]}\n{answers[1]}")


def memory(url: str, rows: int, requests: int, log: Path) -> dict[str, object]:
    """Worker memory after about 1,000 JSON PUTs and after `requests` of them."""
    token = databases.write_token(url)
    with gunicorn("ours", url, log) as server:
        time.sleep(5)  # both workers booted (the first answered already), no request yet
        done = wrk(server, "json", token, rows, 1, 1).requests
        first = server.worker_memory_kib()
        early = done
        while done < requests:
            done += wrk(server, "json", token, rows, 10, 1).requests
        last = server.worker_memory_kib()
    return {"early": early, "late": done, "first": first, "last": last}


if __name__ == "__main__":
    sys.exit(main())
