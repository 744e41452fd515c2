"""PostgreSQL stops and starts again under traffic: 503s meanwhile, no hang, recovery on its own."""
from __future__ import annotations

import json
import re
import socket
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from customers.extensions import db

from tests.conftest import make_app
from tests.loadgen import (Outcome, create_customers, issue_write_token, lost_writes, run_clients,
                           stored_cities)
from tests.pgcluster import Cluster, cluster
from tests.servers import flask_command, gunicorn, server_environment

DB_TIMEOUT_SECONDS = 2
# Pool wait, connect and statement are each bounded by DB_TIMEOUT_SECONDS; a request that takes
# longer than all three together is hanging.
HANG_SECONDS = 3 * DB_TIMEOUT_SECONDS + 1
CLIENTS = 8
UP_SECONDS, DOWN_SECONDS = 1.5, 2.5
LEAKS = re.compile(rb"Traceback|psycopg|sqlalchemy|File \"|/usr/|SELECT|UPDATE", re.I)


def readiness(url: str) -> int:
    """The status /readyz answers."""
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=HANG_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def wait_for_readiness(url: str, status: int, seconds: float = 20) -> float:
    """Poll /readyz until it answers `status`; when it did."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if readiness(url) == status:
            return time.monotonic()
        time.sleep(0.05)
    raise AssertionError(f"/readyz did not answer {status} within {seconds}s")


def outage(pg: Cluster, url: str, events: dict[str, float]) -> None:
    """Let traffic flow, stop PostgreSQL, keep it down a while, start it, wait for readiness."""
    time.sleep(UP_SECONDS)
    pg.stop()
    events["stopped"] = time.monotonic()
    events["not ready"] = wait_for_readiness(url, 503)
    time.sleep(DOWN_SECONDS)
    events["starting"] = time.monotonic()
    pg.start()
    events["started"] = time.monotonic()
    events["ready"] = wait_for_readiness(url, 200)
    time.sleep(UP_SECONDS)


def error_shape_problems(outcomes: list[Outcome]) -> list[bytes]:
    """Bodies of 503 answers that are not the error shape, or that leak internals."""
    problems = []
    for outcome in outcomes:
        if outcome.status != 503:
            continue
        body = json.loads(outcome.body)
        if set(body) != {"code", "message"} or body["code"] != 503 or LEAKS.search(outcome.body):
            problems.append(outcome.body)
    return problems


def report(outcomes: list[Outcome], events: dict[str, float], down: list[Outcome],
           after: list[Outcome]) -> None:
    """Print the figures (run pytest -s to see them)."""
    slowest = max(o.finished - o.started for o in outcomes)
    print(f"\n[outage] {len(outcomes)} requests, statuses "
          f"{dict(Counter(o.status for o in outcomes))}; "
          f"/readyz 503 {events['not ready'] - events['stopped']:.2f}s after the stop, "
          f"200 {events['ready'] - events['started']:.2f}s after the start; "
          f"{len(down)} requests while down, {len(after)} after recovery; slowest {slowest:.2f}s")


@pytest.fixture
def database():
    """A throwaway cluster, migrated as at a release, with a write token."""
    with cluster() as pg:
        env = server_environment(pg.url, DB_TIMEOUT_SECONDS=str(DB_TIMEOUT_SECONDS))
        flask_command(env, "db", "upgrade")
        yield pg, env, make_app(pg.url), issue_write_token(pg.url, "outage-writer")


@pytest.mark.postgres
@pytest.mark.server
def test_database_outage_is_503_then_recovers_by_itself(database, tmp_path: Path):
    pg, env, app, token = database
    events: dict[str, float] = {}
    with gunicorn(env, workers=2, log=tmp_path / "gunicorn.log") as url:
        ids = create_customers(url, token, CLIENTS * 2)
        groups = [ids[n::CLIENTS] for n in range(CLIENTS)]
        seconds = 2 * UP_SECONDS + DOWN_SECONDS
        tally = run_clients(url, token, groups, seconds, lambda: outage(pg, url, events),
                            timeout=HANG_SECONDS)
    log = (tmp_path / "gunicorn.log").read_text(errors="replace")
    statuses = tally.statuses()
    down = [o for o in tally.outcomes
            if events["not ready"] < o.started and o.finished < events["starting"]]
    after = [o for o in tally.outcomes if o.started > events["ready"]]
    report(tally.outcomes, events, down, after)
    assert set(statuses) <= {200, 503}, statuses  # None would be a hang or a dropped connection
    assert down and {o.status for o in down} == {503}
    assert after and {o.status for o in after} == {200}
    assert error_shape_problems(tally.outcomes) == []
    assert lost_writes(stored_cities(app), tally) == {}
    # The app's own records name the request they belong to.
    assert re.search(r"\[WARNING\] \[[0-9a-f]{32}\] customers\.errors: database unavailable", log)


@pytest.mark.postgres
def test_a_statement_running_past_the_timeout_is_cancelled(postgres_server_url):
    app = make_app(postgres_server_url, DB_TIMEOUT_SECONDS=1)
    with app.app_context():
        assert db.session.execute(text("SHOW statement_timeout")).scalar() == "1s"
        with pytest.raises(OperationalError, match="statement timeout"):
            db.session.execute(text("SELECT pg_sleep(5)"))
        db.session.rollback()
        db.engine.dispose()


def test_a_database_that_accepts_but_never_answers_is_503_not_a_hang():
    # The kernel completes the TCP handshake, then nobody speaks: connect_timeout must end it.
    with socket.create_server(("127.0.0.1", 0)) as mute:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{mute.getsockname()[1]}/customers"
        app = make_app(url, DB_TIMEOUT_SECONDS=DB_TIMEOUT_SECONDS)
        started = time.monotonic()
        response = app.test_client().get("/customers", headers={"Authorization": "Bearer cst_x"})
        waited = time.monotonic() - started
        with app.app_context():
            db.engine.dispose()
    print(f"\n[mute database] {response.status_code} after {waited:.2f}s "
          f"(DB_TIMEOUT_SECONDS={DB_TIMEOUT_SECONDS})")
    assert response.status_code == 503 and response.get_json()["code"] == 503
    assert waited < HANG_SECONDS
