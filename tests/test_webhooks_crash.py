"""Webhooks against a live gunicorn and a real worker process: every acknowledged change
arrives although the worker and a gunicorn worker are killed with SIGKILL, and a stalled
receiver does not hold the API."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import new_token
from tests.loadgen import Connection
from tests.procs import master_pid, wait_for_workers
from tests.receiver import Receiver, receiver
from tests.servers import BIN, ROOT, gunicorn, server_environment
from tests.webhooks import add_webhook

pytestmark = [pytest.mark.server, pytest.mark.load]

CLIENTS, WRITES_EACH = 8, 25  # 200 writes; every fifth a create, the others updates
QUICK_ENV = {"WEBHOOK_POLL_SECONDS": "0.05", "WEBHOOK_RETRY_BASE_SECONDS": "0.1",
             "WEBHOOK_TIMEOUT_SECONDS": "1", "WEBHOOK_LEASE_SECONDS": "2"}


@contextmanager
def worker_process(env: dict[str, str], log: Path) -> Iterator[list[subprocess.Popen]]:
    """`flask --app app webhooks run`; yields a list holding the running process (a test
    may replace it), every one of them stopped afterwards."""
    output = open(log, "ab")
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        process = subprocess.Popen([str(BIN / "flask"), "--app", "app", "webhooks", "run"],
                                   cwd=ROOT, env=env, stdout=output, stderr=output)
        started.append(process)
        return process

    running = [start()]
    running.append(start)  # type: ignore[arg-type]  (running[1]() starts another)
    try:
        yield running
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        output.close()


def write_and_remember(url: str, token: str, number: int, acked: list, count: list) -> None:
    """One client: creates a record, then updates it, and so on; notes each change that was
    acknowledged as (event, id, the value only that change wrote)."""
    connection, record_id = Connection(url, token, timeout=30), None
    for serial in range(WRITES_EACH if number < CLIENTS else 1):
        value = f"c{number}-{serial}"
        if serial % 5 == 0 or record_id is None:
            status, body, _ = connection.send("POST", "/customers", {"referenceId": value})
            if status == 201:
                record_id = json.loads(body)["id"]
                acked.append(("entry.create", record_id, value))
        else:
            status, body, _ = connection.send("PUT", f"/customers/{record_id}",
                                              {"addressStreet": value})
            if status == 200:
                acked.append(("entry.update", record_id, value))
        count.append(status)
    connection.close()


def what_arrived(hook: Receiver) -> set[tuple[str, str, str]]:
    """(event, id, value written) of each distinct message accepted; the same webhook-id
    always carries the same body."""
    bodies: dict[str, bytes] = {}
    for delivery in hook.accepted():
        assert bodies.setdefault(delivery.headers["webhook-id"], delivery.body) == delivery.body
    arrived = set()
    for body in bodies.values():
        document = json.loads(body)
        entry = document["entry"]
        value = entry["referenceId"] if document["event"] == "entry.create" else entry["addressStreet"]
        arrived.add((document["event"], entry["id"], value))
    return arrived


def test_every_acknowledged_change_arrives_through_sigkills(app, database_url, tmp_path):
    token = new_token(app, "writer", "write")
    env = server_environment(database_url, **QUICK_ENV)
    pidfile = tmp_path / "gunicorn.pid"
    with receiver() as hook, gunicorn(env, "--pid", str(pidfile), workers=2,
                                      log=tmp_path / "gunicorn.log") as url, \
            worker_process(env, tmp_path / "worker.log") as running:
        add_webhook(app, hook.url)
        hook.stall(0.02)  # the worker spends its time mid-delivery: that is where it dies
        acked: list = []
        answered: list = []
        write_and_remember(url, token, CLIENTS, acked, answered)  # once the worker is up
        hook.wait_for(1)
        answered.clear()
        clients = [threading.Thread(target=write_and_remember, args=(url, token, n, acked, answered))
                   for n in range(CLIENTS)]
        for client in clients:
            client.start()
        master = master_pid(pidfile)
        kills = []
        for at_writes, victim in ((40, "worker"), (90, "gunicorn"), (140, "worker")):
            while len(answered) < at_writes and any(c.is_alive() for c in clients):
                time.sleep(0.01)
            if victim == "worker":
                arrivals = hook.arrivals
                while hook.arrivals == arrivals:  # kill it mid-delivery, not while it starts
                    assert running[0].poll() is None, "the worker exited"
                    time.sleep(0.005)
                running[0].kill()  # SIGKILL
                running[0].wait()
                running[0] = running[1]()
            else:
                workers = wait_for_workers(master, 2)
                os.kill(min(workers), signal.SIGKILL)
                wait_for_workers(master, 2, without={min(workers)})
            kills.append((victim, len(answered), len(what_arrived(hook))))
        for client in clients:
            client.join(60)
        assert len(answered) == CLIENTS * WRITES_EACH
        assert kills[1][1] < len(answered)  # gunicorn was killed under the writes
        # Every write was answered 200/201 but those whose connection the SIGKILLed gunicorn
        # worker broke (their change may or may not have been made, so they are not acked).
        # One kill breaks at most one request per client: its threads held each client's
        # keep-alive connection at most once, and a client reconnects to a live worker.
        broken = [status for status in answered if status is None]
        assert {status for status in answered if status is not None} <= {200, 201}
        assert len(broken) <= CLIENTS, broken
        assert kills[-1][2] < len(acked)  # the worker died with deliveries outstanding
        deadline = time.monotonic() + 60
        while not set(acked) <= what_arrived(hook):
            assert time.monotonic() < deadline, sorted(set(acked) - what_arrived(hook))[:5]
            time.sleep(0.2)
    duplicates = len(hook.accepted()) - len({d.headers["webhook-id"] for d in hook.accepted()})
    print(f"\n[webhooks kill -9] {len(acked)} acknowledged changes all arrived; kills (victim, "
          f"writes answered, changes arrived): {kills}; {duplicates} duplicate deliveries")


def test_a_stalled_receiver_does_not_hold_the_api(app, database_url, tmp_path):
    token = new_token(app, "writer", "write")
    stall = 5.0  # the worker waits for it (its timeout is longer), as on a real 30 s stall
    env = server_environment(database_url, **{**QUICK_ENV, "WEBHOOK_TIMEOUT_SECONDS": "6",
                                               "WEBHOOK_LEASE_SECONDS": "20"})
    with receiver() as hook, gunicorn(env, log=tmp_path / "gunicorn.log") as url, \
            worker_process(env, tmp_path / "worker.log"):
        add_webhook(app, hook.url)
        hook.stall(stall)
        connection = Connection(url, token, timeout=30)
        status, body, _ = connection.send("POST", "/customers", {})
        record_id = json.loads(body)["id"]
        deadline = time.monotonic() + 10
        while hook.arrivals == 0:  # the worker is now waiting on the stalled receiver
            assert time.monotonic() < deadline, "the worker sent nothing"
            time.sleep(0.02)
        stalled_at = time.monotonic()
        statuses = [connection.send("PUT", f"/customers/{record_id}", {"addressStreet": f"{n}"})[0]
                    for n in range(30)]
        assert statuses == [200] * 30
        # All of them answered while the receiver still held the first delivery.
        assert hook.deliveries == [] and time.monotonic() - stalled_at < stall
        connection.close()
