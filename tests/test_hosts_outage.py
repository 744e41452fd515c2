"""PostgreSQL stops and starts under traffic through nginx, two hosts and PgBouncer: 503s in the
error shape meanwhile, never a bare 500, 200s again within a second of its return."""
from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import app_on
from tests.hosts import DB_TIMEOUT_SECONDS, Hosts, two_hosts
from tests.loadgen import create_customers, lost_writes, run_clients, stored_cities
from tests.test_outage import error_shape_problems, wait_for_readiness

pytestmark = [pytest.mark.postgres, pytest.mark.proxy, pytest.mark.server, pytest.mark.load]

CLIENTS = 8
UP_SECONDS, DOWN_SECONDS = 1.5, 2.5
# PgBouncer's own waits, as the README's block sets them: a client waits for a server at most
# DB_TIMEOUT_SECONDS (its default, 120 s, outlasts gunicorn's timeout), and a failed login to
# PostgreSQL is retried after half a second (its default, 15 s, would keep 503s going that long).
RECOVERY = {"query_wait_timeout": str(DB_TIMEOUT_SECONDS), "server_login_retry": "0.5"}
HANG_SECONDS = 3 * DB_TIMEOUT_SECONDS + 1


@pytest.fixture
def hosts(tmp_path: Path) -> Iterator[Hosts]:
    with two_hosts(tmp_path, **RECOVERY) as hosts:
        yield hosts


def outage(hosts: Hosts, events: dict[str, float]) -> None:
    """Traffic flows, PostgreSQL stops, stays down a while, starts; readiness through nginx."""
    time.sleep(UP_SECONDS)
    hosts.pooled.pg.stop()
    events["stopped"] = time.monotonic()
    events["not ready"] = wait_for_readiness(hosts.url, 503)
    time.sleep(DOWN_SECONDS)
    events["starting"] = time.monotonic()
    hosts.pooled.pg.start()
    events["started"] = time.monotonic()
    events["ready"] = wait_for_readiness(hosts.url, 200)
    time.sleep(UP_SECONDS)


def test_a_postgres_restart_under_traffic_is_503s_then_200s_within_a_second(hosts: Hosts):
    ids = create_customers(hosts.url, hosts.token, CLIENTS * 2)
    events: dict[str, float] = {}
    tally = run_clients(hosts.url, hosts.token, [ids[n::CLIENTS] for n in range(CLIENTS)],
                        2 * UP_SECONDS + DOWN_SECONDS, lambda: outage(hosts, events),
                        timeout=HANG_SECONDS)
    statuses = tally.statuses()
    down = [o for o in tally.outcomes
            if events["not ready"] < o.started and o.finished < events["starting"]]
    back = [o for o in tally.outcomes if o.started > events["started"] + 1.0]
    print(f"\n[outage, two hosts, PgBouncer] {len(tally.outcomes)} requests, statuses "
          f"{dict(statuses)}; /readyz 200 {events['ready'] - events['started']:.2f}s after the "
          f"start; {len(down)} requests while down, {len(back)} from a second after the start")
    assert set(statuses) <= {200, 503}, statuses  # None: a hang or a dropped connection
    assert down and {o.status for o in down} == {503}
    assert back and Counter(o.status for o in back) == Counter({200: len(back)})
    assert error_shape_problems(tally.outcomes) == []
    with app_on(hosts.pooled.direct_url.replace("postgresql://", "postgresql+psycopg://")) as app:
        assert lost_writes(stored_cities(app), tally) == {}
    logs = "".join(Path(log).read_text(errors="replace") for log in hosts.logs)
    assert "Traceback" not in logs and "unexpected error" not in logs
    # Each outage line says what the driver or PgBouncer said, not only the class.
    causes = re.findall(r"database unavailable: OperationalError: (\S+: .+)", logs)
    assert causes and all("psycopg" in cause for cause in causes), causes[:5]
