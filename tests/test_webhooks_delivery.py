"""Webhook delivery: what a change enqueues, signed, in order per record, retried until
accepted, given up after the retry window, and a stalled receiver holding back no one else."""
from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from flask import Flask
from standardwebhooks import Webhook as Verifier

from tests.client import Api
from tests.conftest import app_on, new_token
from tests.receiver import Receiver, receiver
from tests.webhooks import QUICK, add_webhook, cli, running_worker


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """The app with quick retries."""
    with app_on(database_url, **QUICK) as app:
        yield app


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as found:
        yield found


def test_a_create_arrives_signed_with_the_reference_payload(app, api, hook):
    secret = add_webhook(app, hook.url)
    created = api.send("POST", "/customers", {"addressCity": "Recife", "gender": "female"})
    assert created.status_code == 201
    with running_worker(app):
        [delivery] = hook.wait_for(1)
    document = Verifier(secret).verify(delivery.body, delivery.headers)  # raises if forged
    assert document == {"event": "entry.create", "created_at": document["created_at"],
                        "model": "customers", "entry": created.get_json()}
    assert document["created_at"].endswith("Z")
    assert delivery.headers["content-type"] == "application/json"
    assert delivery.headers["webhook-id"].startswith("msg_")
    with pytest.raises(Exception):  # another secret does not verify it
        Verifier(add_webhook(app, hook.url + "/other")).verify(delivery.body, delivery.headers)


def test_update_and_delete_events_carry_the_record_as_the_api_shows_it(app, api, hook):
    add_webhook(app, hook.url, "--events", "entry.update,entry.delete")
    record_id = api.send("POST", "/customers", {"addressCity": "Natal"}).get_json()["id"]
    updated = api.send("PUT", f"/customers/{record_id}", {"addressCity": "Olinda"}, fmt="xml")
    deleted = api.send("DELETE", f"/customers/{record_id}")
    assert updated.status_code == deleted.status_code == 200
    with running_worker(app):
        deliveries = hook.wait_for(2)
    documents = [d.json() for d in deliveries]
    assert [d["event"] for d in documents] == ["entry.update", "entry.delete"]  # no create
    assert documents[0]["entry"] == updated.get_json()
    assert documents[1]["entry"] == deleted.get_json()


def test_a_refused_write_enqueues_nothing(app, api, hook):
    add_webhook(app, hook.url)
    record_id = api.send("POST", "/customers", {}).get_json()["id"]
    assert api.send("PUT", f"/customers/{record_id}", {"gender": "robot"}).status_code == 422
    assert api.send("PUT", f"/customers/{record_id}", {"gender": "male"},
                    **{"If-Match": '"c1v99"'}).status_code == 412
    assert api.send("PUT", "/customers/999", {"gender": "male"}).status_code == 404
    with running_worker(app):
        hook.wait_for(1)
        time.sleep(0.3)  # several polls: anything else queued would have come
    assert [d.json()["event"] for d in hook.accepted()] == ["entry.create"]
    assert "queue: 0 pending" in cli(app, "deliveries")


def test_twenty_quick_puts_arrive_in_version_order(app, api, hook):
    add_webhook(app, hook.url, "--events", "entry.update")
    first = api.send("POST", "/customers", {}).get_json()["id"]
    other = api.send("POST", "/customers", {}).get_json()["id"]
    hook.fail_next(3)  # the record's first message is retried while the rest wait behind it
    with running_worker(app):
        for n in range(20):
            for record_id in (first, other):
                response = api.send("PUT", f"/customers/{record_id}", {"addressStreet": f"Rua {n}"})
                assert response.status_code == 200
        deliveries = hook.wait_for(40)
    for record_id in (first, other):
        streets = [d.json()["entry"]["addressStreet"] for d in deliveries
                   if d.json()["entry"]["id"] == record_id]
        assert streets == [f"Rua {n}" for n in range(20)]


def test_a_failing_receiver_gets_the_message_again_with_the_same_id(database_url, hook):
    # Delays of 0.3, 0.6, 1.2 s (each within 20 %): longer than a poll, so their doubling shows.
    with app_on(database_url, **{**QUICK, "WEBHOOK_RETRY_BASE_SECONDS": 0.3}) as app:
        add_webhook(app, hook.url)
        hook.fail_next(3, status=503)
        Api(app.test_client(), new_token(app, "w", "write")).send("POST", "/customers", {})
        with running_worker(app):
            hook.wait_for(1)
        [line] = [l for l in cli(app, "deliveries").splitlines() if l.startswith("msg_")]
    assert line.split("\t")[1:6] == ["entry.create", "1", "delivered", "4", "200"]
    attempts = hook.deliveries
    assert [d.status for d in attempts] == [503, 503, 503, 200]
    assert len({d.headers["webhook-id"] for d in attempts}) == 1
    gaps = [later.at - earlier.at for earlier, later in zip(attempts, attempts[1:])]
    assert 0.24 <= gaps[0] < gaps[1] < gaps[2]  # the delay doubles (jittered)


def test_a_message_is_failed_after_the_retry_window_and_can_be_redelivered(database_url, hook):
    with app_on(database_url, **QUICK, WEBHOOK_RETRY_FOR_SECONDS=0.5) as app:
        add_webhook(app, hook.url)
        hook.fail_next(100)
        Api(app.test_client(), new_token(app, "w", "write")).send("POST", "/customers", {})
        with running_worker(app):
            deadline = time.monotonic() + 20
            while "\tfailed\t" not in cli(app, "deliveries", "--failed"):
                assert time.monotonic() < deadline, cli(app, "deliveries")
                time.sleep(0.1)
            tried = len(hook.deliveries)
            time.sleep(0.3)
            assert len(hook.deliveries) == tried  # given up: no more attempts
            [line] = cli(app, "deliveries", "--failed").splitlines()[1:]
            msg_id, *_, last, _webhook = line.split("\t")
            assert last == "500"
            hook.fail_next(0)
            assert f"queued {msg_id} again" in cli(app, "redeliver", msg_id)
            [delivery] = hook.wait_for(1)
        assert delivery.headers["webhook-id"] == msg_id
        assert cli(app, "deliveries", "--failed").splitlines()[1:] == []


def test_a_stalled_receiver_holds_back_no_other_receiver(app, api):
    with receiver() as stalled, receiver() as lively:
        add_webhook(app, stalled.url)
        add_webhook(app, lively.url)
        stalled.stall(3)
        with running_worker(app):
            started = time.monotonic()
            for n in range(5):
                api.send("POST", "/customers", {"addressStreet": f"Rua {n}"})
            lively.wait_for(5, seconds=2.5)
            assert time.monotonic() - started < 2.5  # while the other is still stalled
            assert stalled.accepted() == []


def test_each_webhook_gets_its_own_message_id(app, api):
    with receiver() as one, receiver() as two:
        add_webhook(app, one.url)
        add_webhook(app, two.url)
        api.send("POST", "/customers", {})
        with running_worker(app):
            [first], [second] = one.wait_for(1), two.wait_for(1)
    assert first.headers["webhook-id"] != second.headers["webhook-id"]
    assert first.body == second.body
