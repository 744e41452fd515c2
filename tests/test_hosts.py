"""Two gunicorn hosts behind nginx, on PostgreSQL through PgBouncer (transaction mode, its
defaults): writes under load land in their own fields, races have one winner, nothing that
decides an answer lives in one host."""
from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path

import psycopg
import pytest

from tests.hosts import DB_TIMEOUT_SECONDS, Browser, Hosts, two_hosts
from tests.loadgen import Connection, create_customers

pytestmark = [pytest.mark.postgres, pytest.mark.proxy, pytest.mark.server, pytest.mark.load]

# Each writer owns one field: a value of one found in another's field was written astray.
FIELDS = ("uuid", "referenceId", "addressStreet", "addressNeighborhood", "addressCity",
          "addressState", "addressCountry")
RECORDS = 3
LOAD_SECONDS = 4
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    with two_hosts(tmp_path_factory.mktemp("hosts")) as hosts:
        yield hosts


class FieldWriter:
    """PUTs its own field into every record in turn; what it saw and what it was told."""

    def __init__(self, field: str):
        self.field, self.statuses = field, Counter()
        self.acked: dict[str, str] = {}
        self.unknown: dict[str, set[str]] = {}  # sent, answer lost: may or may not be stored
        self.astray: list[tuple[str, str, object]] = []

    def run(self, url: str, token: str, ids: list[str], stop: threading.Event) -> None:
        connection = Connection(url, token, timeout=30)
        for serial, customer_id in enumerate(cycle(ids)):
            if stop.is_set():
                break
            value = f"{self.field}-{serial}"
            status, body, _ = connection.send("PUT", f"/customers/{customer_id}",
                                              {self.field: value})
            self.statuses[status] += 1
            if status is None or not 200 <= status < 300:
                self.unknown.setdefault(customer_id, set()).add(value)
                continue
            self.acked[customer_id] = value
            self.unknown.pop(customer_id, None)
            self.check(customer_id, json.loads(body), value)
        connection.close()

    def check(self, customer_id: str, record: dict, value: str) -> None:
        """Our value in our field, and every other field holding its own writer's values."""
        for name in FIELDS:
            held = record[name]
            mine = name == self.field
            if (mine and held != value) or (held is not None and not held.startswith(f"{name}-")):
                self.astray.append((customer_id, name, held))


def test_concurrent_writers_through_both_hosts_lose_nothing_and_mix_no_fields(hosts: Hosts):
    ids = create_customers(hosts.url, hosts.token, RECORDS)
    writers, stop = [FieldWriter(field) for field in FIELDS], threading.Event()
    threads = [threading.Thread(target=w.run, args=(hosts.url, hosts.token, ids, stop))
               for w in writers]
    for thread in threads:
        thread.start()
    time.sleep(LOAD_SECONDS)
    stop.set()
    for thread in threads:
        thread.join(60)
    statuses = sum((w.statuses for w in writers), Counter())
    print(f"\n[two hosts, {len(FIELDS)} field writers x {LOAD_SECONDS}s through nginx and "
          f"PgBouncer] statuses {dict(statuses)}")
    assert set(statuses) == {200}, statuses
    assert [w.astray for w in writers] == [[]] * len(writers)
    reader = Connection(hosts.url, hosts.token, timeout=30)
    for customer_id in ids:
        status, body, _ = reader.send("GET", f"/customers/{customer_id}")
        stored = json.loads(body)
        for writer in writers:
            assert stored[writer.field] == writer.acked[customer_id] or \
                stored[writer.field] in writer.unknown.get(customer_id, ())
    reader.close()


ROUNDS, CONTENDERS = 10, 6


def test_if_match_races_across_hosts_have_exactly_one_winner(hosts: Hosts):
    [customer_id] = create_customers(hosts.url, hosts.token, 1)
    start, ready = (threading.Barrier(CONTENDERS, timeout=30) for _ in range(2))
    results: list[tuple[int, int | None]] = []

    def contender(number: int) -> None:
        # Half of them on each host, straight to it.
        connection = Connection(hosts.hosts[number % 2], hosts.token, timeout=30)
        for round_number in range(ROUNDS):
            start.wait()
            _, _, headers = connection.send("GET", f"/customers/{customer_id}")
            ready.wait()
            status, _, _ = connection.send("PUT", f"/customers/{customer_id}",
                                           {"addressCity": f"t{number}-r{round_number}"},
                                           {"If-Match": headers["ETag"]})
            results.append((round_number, status))
        connection.close()

    threads = [threading.Thread(target=contender, args=(n,)) for n in range(CONTENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    per_round = [Counter(s for r, s in results if r == n) for n in range(ROUNDS)]
    assert per_round == [Counter({200: 1, 412: CONTENDERS - 1})] * ROUNDS


def test_a_burst_of_2000_requests_on_warm_connections_has_no_error(hosts: Hosts):
    ids = create_customers(hosts.url, hosts.token, 8)
    connections = [Connection(hosts.url, hosts.token, timeout=30) for _ in ids]
    for connection, customer_id in zip(connections, ids):  # warm: open, pooled, cached
        assert connection.send("GET", f"/customers/{customer_id}")[0] == 200
    statuses: Counter = Counter()

    def burst(connection: Connection, customer_id: str) -> None:
        for serial in range(2000 // len(ids)):
            if serial % 2:
                answer = connection.send("PUT", f"/customers/{customer_id}",
                                         {"addressCity": f"b{serial}"})
            else:
                answer = connection.send("GET", f"/customers/{customer_id}")
            statuses[answer[0]] += 1

    threads = [threading.Thread(target=burst, args=pair) for pair in zip(connections, ids)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    seconds = time.monotonic() - started
    for connection in connections:
        connection.close()
    print(f"\n[burst] {sum(statuses.values())} requests in {seconds:.2f}s: {dict(statuses)}")
    assert statuses == Counter({200: 2000})


def test_the_statement_timeout_fires_through_pgbouncer(hosts: Hosts):
    [customer_id] = create_customers(hosts.url, hosts.token, 1)
    connection = Connection(hosts.url, hosts.token, timeout=30)
    with psycopg.connect(hosts.pooled.direct_url) as other:  # another client holds the row
        other.execute("SELECT 1 FROM customers WHERE id = %s FOR UPDATE", (int(customer_id),))
        started = time.monotonic()
        status, body, headers = connection.send("PUT", f"/customers/{customer_id}",
                                                {"addressCity": "Caruaru"})
        waited = time.monotonic() - started
    print(f"\n[locked row via nginx and PgBouncer] {status} after {waited:.2f}s")
    assert status == 503 and headers["Retry-After"] == "5"
    assert json.loads(body) == {"code": 503, "message": "The database did not answer in time; "
                                                        "try again shortly."}
    assert DB_TIMEOUT_SECONDS - 0.1 < waited < DB_TIMEOUT_SECONDS + 1.5
    assert connection.send("PUT", f"/customers/{customer_id}", {"addressCity": "Caruaru"})[0] == 200
    connection.close()


def test_a_revoked_token_is_refused_at_once_on_both_hosts(hosts: Hosts):
    output = hosts.flask("tokens", "create", "revokee", "--scope", "write")
    token_id, secret = re.search(r"token (\d+) for revokee", output).group(1), output.split()[-1]
    [customer_id] = create_customers(hosts.url, secret, 1)
    connections = [Connection(host, secret, timeout=30) for host in hosts.hosts for _ in range(4)]
    for connection in connections:  # every worker of both hosts has the token in its cache
        assert connection.send("PUT", f"/customers/{customer_id}", {"gender": "male"})[0] == 200
    for connection in connections:
        connection.close()
    hosts.flask("tokens", "revoke", token_id)
    for host in hosts.hosts:  # new connections: the idle ones may have been closed meanwhile
        for _ in range(4):
            connection = Connection(host, secret, timeout=30)
            assert connection.send("GET", f"/customers/{customer_id}")[0] == 403
            assert connection.send("PUT", f"/customers/{customer_id}", {"gender": "other"})[0] == 403
            connection.close()


def test_the_sign_in_throttle_counts_failures_on_every_host(hosts: Hosts):
    hosts.flask("users", "create", "guessed", "--password", PASSWORD)
    attacker = Browser(source="127.0.0.3")
    for attempt in range(5):
        status, _, html = attacker.sign_in(hosts.hosts[attempt % 2], "guessed", "wrong password!")
        assert status == 200 and "Wrong name or password." in html
    for host in hosts.hosts:
        status, headers, _ = Browser(source="127.0.0.4").sign_in(host, "guessed", "wrong again!!")
        assert status == 429 and int(headers["Retry-After"]) > 0


def test_a_session_and_its_csrf_token_hold_on_the_other_host(hosts: Hosts):
    hosts.flask("users", "create", "traveller", "--password", PASSWORD)
    a, b = hosts.hosts
    browser = Browser(source="127.0.0.5")
    status, headers, _ = browser.sign_in(a, "traveller", PASSWORD)
    assert status in (302, 303), status
    status, _, html = browser.request(b, "GET", "/customers/browse")
    assert status == 200 and "traveller" in html
    token = browser.csrf(b, "/logout")  # the form comes from host B...
    status, headers, _ = browser.request(a, "POST", "/logout", {"csrf_token": token})
    assert status in (302, 303) and headers["Location"].endswith("/login")  # ...host A takes it
    status, headers, _ = browser.request(b, "GET", "/customers/browse")
    assert status in (302, 303) and "/login" in headers["Location"]


def test_no_host_logged_an_unexpected_error(hosts: Hosts):
    for log in hosts.logs:
        text = Path(log).read_text(errors="replace")
        assert "unexpected error" not in text and "Traceback" not in text, text[-3000:]
