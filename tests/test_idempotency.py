"""Idempotency-Key on POST /customers: a retry replays the first answer and creates nothing."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from customers.extensions import db
from customers.idempotency import CLAIM_SECONDS, KEYS, claim
from customers.models import Customer, utcnow
from tests.client import decode_answer
from tests.conftest import new_token
from tests.test_migrations import empty_app, empty_database, postgres_database  # noqa: F401 (fixtures)
from tests.test_migrations import upgrade_with


def count(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(Customer)).scalar_one()


def post(api, fields, key, **headers):
    return api.send("POST", "/customers", fields, **{"Idempotency-Key": key, **headers})


def test_the_same_key_and_body_replays_the_first_answer(api, app):
    first = post(api, {"referenceId": "R-1"}, '"order-1"')
    again = post(api, {"referenceId": "R-1"}, '"order-1"')
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    for header in ("Location", "Content-Location", "ETag"):
        assert again.headers[header] == first.headers[header]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count(app) == 1


def test_a_bare_key_is_the_same_key_as_the_quoted_one(api, app):
    first = post(api, {"referenceId": "R-1"}, '"abc"')
    again = post(api, {"referenceId": "R-1"}, "abc")
    assert again.get_json() == first.get_json() and count(app) == 1


def test_the_replay_comes_in_the_format_the_retry_asks_for(api, app):
    first = post(api, {"addressCity": "Recife"}, "k1")
    again = post(api, {"addressCity": "Recife"}, "k1", accept="application/xml")
    assert again.status_code == 201 and again.mimetype == "application/xml"
    assert decode_answer(again) == first.get_json()


def test_the_same_key_with_another_body_is_422_and_creates_nothing(api, app):
    post(api, {"referenceId": "R-1"}, "k1")
    other = post(api, {"referenceId": "R-2"}, "k1")
    assert other.status_code == 422
    assert other.get_json()["code"] == 422 and "different request" in other.get_json()["message"]
    assert count(app) == 1


def test_keys_belong_to_their_token(api, app, client):
    other = type(api)(client, new_token(app, "someone-else", "write"))
    assert post(api, {"referenceId": "R-1"}, "k1").status_code == 201
    assert post(other, {"referenceId": "R-1"}, "k1").status_code == 201
    assert count(app) == 2


@pytest.mark.parametrize("key", ['""', '"abc', 'a"b', '"a\\x"', '"a" b', "x" * 256, "ação",
                                 "a\\b", '"\x7f"', "\t"])
def test_a_malformed_key_is_400_and_creates_nothing(api, app, key):
    response = post(api, {"referenceId": "R-1"}, key)
    assert response.status_code == 400, key
    assert "Idempotency-Key" in response.get_json()["message"]
    assert count(app) == 0


def test_a_key_of_255_characters_and_escapes_are_accepted(api, app):
    assert post(api, {}, "k" * 255).status_code == 201
    first = post(api, {}, '"say \\"hi\\" \\\\ bye"')
    assert first.status_code == 201
    assert post(api, {}, '"say \\"hi\\" \\\\ bye"').get_json() == first.get_json()
    assert count(app) == 2


def test_a_refused_request_leaves_the_key_free(api, app):
    bad = post(api, {"dateOfBirth": "1999-02-30"}, "k1")
    assert bad.status_code == 422
    assert post(api, {"dateOfBirth": "1999-02-30"}, "k1").status_code == 422  # not a replay
    assert post(api, {"dateOfBirth": "1999-02-28"}, "k1").status_code == 201
    assert count(app) == 1


def test_while_the_first_request_runs_a_duplicate_is_409(api, app, write_token):
    with app.app_context():
        token_id = db.session.execute(select(db.metadata.tables["tokens"].c.id)).scalars().first()
    body = json.dumps({"referenceId": "R-1"}).encode()
    from customers.idempotency import fingerprint
    with app.app_context():
        claim(token_id, "k1", fingerprint("POST", "/customers?", "application/json", body))
    response = post(api, {"referenceId": "R-1"}, "k1")
    assert response.status_code == 409 and response.get_json()["code"] == 409
    assert count(app) == 0


def test_a_claim_left_by_a_dead_request_is_taken_over(api, app):
    with app.app_context():
        token_id = db.session.execute(select(db.metadata.tables["tokens"].c.id)).scalars().first()
        from customers.idempotency import fingerprint
        body = json.dumps({"referenceId": "R-1"}).encode()
        claim(token_id, "k1", fingerprint("POST", "/customers?", "application/json", body))
        with db.engine.begin() as connection:
            connection.execute(update(KEYS).values(
                claimed_at=utcnow() - timedelta(seconds=CLAIM_SECONDS + 1)))
    assert post(api, {"referenceId": "R-1"}, "k1").status_code == 201
    assert count(app) == 1


def test_a_key_older_than_a_day_is_forgotten(api, app):
    post(api, {"referenceId": "R-1"}, "k1")
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(update(KEYS).values(created_at=utcnow() - timedelta(hours=24, seconds=1)))
    assert "Idempotent-Replayed" not in post(api, {"referenceId": "R-1"}, "k1").headers
    assert count(app) == 2


def test_without_a_key_every_post_creates(api, app):
    api.create(referenceId="R-1")
    api.create(referenceId="R-1")
    assert count(app) == 2


@pytest.mark.server
@pytest.mark.load
def test_concurrent_duplicates_on_a_live_server_create_one_record(live_server, app):
    """Twenty clients send the same create with one key at once, to two gunicorn workers."""
    body = json.dumps({"referenceId": "RACE"}).encode()
    answers: list[tuple[int, dict]] = []

    def send() -> None:
        request = urllib.request.Request(f"{live_server.url}/customers", body, method="POST", headers={
            "Authorization": f"Bearer {live_server.write_token}", "Content-Type": "application/json",
            "Idempotency-Key": '"race-1"'})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answers.append((response.status, json.load(response)))
        except urllib.error.HTTPError as error:
            answers.append((error.code, json.load(error)))

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count(app) == 1
    created = [body for status, body in answers if status == 201]
    assert created and all(body == created[0] for body in created)
    assert {status for status, _ in answers} <= {201, 409}


def test_the_migration_runs_from_the_previous_head_with_data(empty_app):
    """0005 (idempotency_keys) on a database at 0004 holding a customer and a token: both
    stay, and a create with a key then works."""
    from sqlalchemy import text

    with empty_app.app_context():
        upgrade_with("0004", "INSERT INTO customers (address_city, published_at, updated_at, "
                             "version) VALUES ('Recife', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)")
        assert db.session.execute(text("SELECT address_city FROM customers")).scalar() == "Recife"
    token = new_token(empty_app, "after-upgrade", "write")
    client = empty_app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k"}
    first = client.post("/customers", json={"referenceId": "R"}, headers=headers)
    again = client.post("/customers", json={"referenceId": "R"}, headers=headers)
    assert first.status_code == again.status_code == 201 and again.get_json() == first.get_json()
