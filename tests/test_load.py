"""Four gunicorn workers, 32 concurrent writers, SQLite and PostgreSQL: nothing refused or lost."""
from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import make_app
from tests.loadgen import (Connection, Tally, create_customers, issue_write_token, lost_writes,
                           run_clients, stored_cities)
from tests.procs import established_connections, master_pid, wait_for_workers
from tests.servers import gunicorn, server_environment

pytestmark = [pytest.mark.load, pytest.mark.server]

WORKERS = 4
CLIENTS = 32
RECORDS_PER_CLIENT = 4
LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "10"))
KILL_LOAD_SECONDS = LOAD_SECONDS * 0.6


class Server:
    """A running gunicorn: its URL, a write token, its pid file, and an app on its database."""

    def __init__(self, url: str, token: str, pidfile: Path, database_url: str):
        self.url, self.token, self.pidfile = url, token, pidfile
        self.database_url, self.app = database_url, make_app(database_url)
        self.kind = database_url.split(":", 1)[0]


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One `gunicorn wsgi:app` with four workers per database kind, shared by these tests."""
    folder = tmp_path_factory.mktemp("load")
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), folder / "customers.sqlite3")
        database_url = f"sqlite:///{folder / 'customers.sqlite3'}"
    else:
        database_url = request.getfixturevalue("postgres_server_url")
    token = issue_write_token(database_url, "loader")
    with gunicorn(server_environment(database_url), "--pid", str(folder / "gunicorn.pid"),
                  workers=WORKERS, log=folder / "gunicorn.log") as url:
        yield Server(url, token, folder / "gunicorn.pid", database_url)


def own_records(server: Server) -> list[list[str]]:
    """Fresh records, dealt out so that every client owns a disjoint set."""
    ids = create_customers(server.url, server.token, CLIENTS * RECORDS_PER_CLIENT)
    return [ids[n::CLIENTS] for n in range(CLIENTS)]


def refused(tally: Tally) -> Counter:
    """Answers that were not 2xx (None: no answer at all)."""
    return Counter({status: n for status, n in tally.statuses().items()
                    if status is None or not 200 <= status < 300})


def report(label: str, kind: str, tally: Tally, seconds: float, **extra: object) -> None:
    """Print the figures (run pytest -s to see them)."""
    served = sum(1 for outcome in tally.outcomes if outcome.status is not None)
    latencies = sorted(o.finished - o.started for o in tally.outcomes)
    p99 = latencies[int(len(latencies) * 0.99)] if latencies else 0
    print(f"\n[{label} {kind}] {CLIENTS} clients x {seconds:.0f}s, {WORKERS} workers: "
          f"{served} answers ({served / seconds:.0f}/s), statuses {dict(tally.statuses())}, "
          f"p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
          + "".join(f", {key} {value}" for key, value in extra.items()))


def test_concurrent_puts_are_all_accepted_and_kept(server):
    tally = run_clients(server.url, server.token, own_records(server), LOAD_SECONDS)
    report("put load", server.kind, tally, LOAD_SECONDS)
    samples = [o.body for o in tally.outcomes if o.status != 200][:3]
    assert not refused(tally), samples
    assert len(tally.acked) == CLIENTS * RECORDS_PER_CLIENT
    assert lost_writes(stored_cities(server.app), tally) == {}


def test_a_killed_worker_is_replaced_and_no_acknowledged_write_is_lost(server):
    master = master_pid(server.pidfile)
    workers = wait_for_workers(master, WORKERS)
    replaced: dict[str, float] = {}
    held: dict[str, int] = {}

    def kill_one_worker() -> None:
        time.sleep(KILL_LOAD_SECONDS / 3)
        victim = min(workers)
        held["connections"] = established_connections(victim, urlsplit(server.url).port)
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        wait_for_workers(master, WORKERS, without={victim})
        replaced["seconds"] = time.monotonic() - killed_at

    tally = run_clients(server.url, server.token, own_records(server), KILL_LOAD_SECONDS,
                        kill_one_worker)
    report("kill -9", server.kind, tally, KILL_LOAD_SECONDS,
           replacement=f"{replaced['seconds']:.2f}s", victim_connections=held["connections"])
    # A threaded worker holds its clients' connections (requests in flight, and kept alive
    # between requests): each may lose one request, unanswered; nothing else fails.
    assert refused(tally) - Counter({None: held["connections"]}) == Counter()
    assert lost_writes(stored_cities(server.app), tally) == {}


ROUNDS = 20
CONTENDERS = 8


def contend(server: Server, customer_id: str) -> list[tuple[int, int | None, str]]:
    """CONTENDERS threads, ROUNDS times: all read the ETag, then all PUT with If-Match at once."""
    start, ready = (threading.Barrier(CONTENDERS, timeout=30) for _ in range(2))
    results: list[tuple[int, int | None, str]] = []

    def contender(number: int) -> None:
        connection = Connection(server.url, server.token, timeout=30)
        for round_number in range(ROUNDS):
            start.wait()
            _, _, headers = connection.send("GET", f"/customers/{customer_id}")
            ready.wait()  # nobody writes before everybody has read this round's version
            value = f"t{number}-r{round_number}"
            status, _, _ = connection.send("PUT", f"/customers/{customer_id}",
                                           {"addressCity": value}, {"If-Match": headers["ETag"]})
            results.append((round_number, status, value))
        connection.close()

    threads = [threading.Thread(target=contender, args=(n,), daemon=True)
               for n in range(CONTENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_if_match_lets_exactly_one_writer_win_each_version(server):
    [customer_id] = create_customers(server.url, server.token, 1)
    results = contend(server, customer_id)
    per_round = [Counter(s for r, s, _ in results if r == n) for n in range(ROUNDS)]
    print(f"\n[if-match {server.kind}] {CONTENDERS} writers x {ROUNDS} rounds: "
          f"{dict(sum(per_round, Counter()))}")
    assert per_round == [Counter({200: 1, 412: CONTENDERS - 1})] * ROUNDS
    last_winner = next(v for r, s, v in results if r == ROUNDS - 1 and s == 200)
    reader = Connection(server.url, server.token, 30)
    _, body, headers = reader.send("GET", f"/customers/{customer_id}")
    reader.close()
    final = (json.loads(body)["addressCity"], headers["ETag"])
    assert final == (last_winner, f'"c{customer_id}v{ROUNDS + 1}"')
