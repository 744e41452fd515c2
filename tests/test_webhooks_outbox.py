"""The outbox itself: which event each kind of change is, what an erasure leaves in it, and
its migration on a database that has data."""
from __future__ import annotations

import json
from datetime import datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from customers.extensions import db
from customers.webhooks import outbox, queue
from tests.test_migrations import empty_app, empty_database, postgres_database  # noqa: F401
from tests.test_migrations import upgrade_with
from tests.conftest import app_on
from tests.webhooks import add_webhook, cli


@pytest.mark.parametrize("action, before, event", [
    ("create", None, "entry.create"), ("import", None, "entry.create"),
    ("import", {"gender": None}, "entry.update"), ("update", {}, "entry.update"),
    ("revert", {}, "entry.update"), ("restore", {}, "entry.create"),
    ("delete", {}, "entry.delete"), ("erase", {}, "entry.delete"),
])
def test_each_action_is_the_strapi_event_receivers_expect(app, action, before, event):
    add_webhook(app, "http://127.0.0.1:9/")
    record = SimpleNamespace(id=7, version=3, uuid="u", referenceId="r", dateOfBirth=None,
                             addressStreet="Rua A", addressNeighborhood=None, addressCity=None,
                             addressState=None, addressCountry=None, gender=None,
                             maritalStatus=None, published_at=datetime(2026, 1, 2, 3, 4, 5),
                             created_by="ana", updated_by="ana")
    change = SimpleNamespace(action=action, record=record, before=before, at=datetime(2026, 1, 2))
    with app.app_context(), db.engine.begin() as connection:
        outbox.enqueue(connection, change)
    [line] = cli(app, "deliveries").splitlines()[1:]
    assert line.split("\t")[1:3] == [event, "7"]


def test_an_erasure_blanks_the_values_in_every_earlier_message(app, api):
    add_webhook(app, "http://127.0.0.1:9/")
    record_id = api.send("POST", "/customers", {"addressStreet": "Rua Secreta 1"}).get_json()["id"]
    api.send("PUT", f"/customers/{record_id}", {"addressCity": "Segredo"})
    erased = SimpleNamespace(id=int(record_id), version=3, **{
        name: None for name in ("uuid", "referenceId", "dateOfBirth", "addressStreet",
                                "addressNeighborhood", "addressCity", "addressState",
                                "addressCountry", "gender", "maritalStatus")},
        published_at=datetime(2026, 1, 1), created_by=None, updated_by=None)
    with app.app_context(), db.engine.begin() as connection:
        outbox.enqueue(connection, SimpleNamespace(action="erase", record=erased, before={},
                                                   at=datetime(2026, 1, 2)))
        payloads = connection.execute(text("SELECT payload FROM webhook_messages ORDER BY id"))
        documents = [json.loads(row[0]) for row in payloads]
    assert [d["event"] for d in documents] == ["entry.create", "entry.update", "entry.delete"]
    assert "Secreta" not in json.dumps(documents) and "Segredo" not in json.dumps(documents)
    assert all(d["entry"]["id"] == record_id for d in documents)


def test_the_migration_runs_on_a_database_with_data(empty_app):
    with empty_app.app_context():
        upgrade_with("0003", "INSERT INTO customers (address_city, published_at, updated_at, "
                             "version) VALUES ('Recife', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)")
    add_webhook(empty_app, "http://127.0.0.1:9/")
    assert cli(empty_app, "list").startswith("1\thttp://127.0.0.1:9/\t")
    with empty_app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("SELECT address_city FROM customers")).scalar() == "Recife"


def test_purge_takes_delivered_and_failed_messages_past_the_retention_only(app, api):
    add_webhook(app, "http://127.0.0.1:9/")
    for _ in range(3):
        api.send("POST", "/customers", {})
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("UPDATE webhook_messages SET state = 'delivered' WHERE id = 1"))
        connection.execute(text("UPDATE webhook_messages SET state = 'failed' WHERE id = 2"))
    with app.app_context():
        assert queue.purge(db.engine, retention_days=1) == 0  # all younger than a day
        assert queue.purge(db.engine, retention_days=-1) == 2  # the pending one stays
    assert [line.split("\t")[3] for line in cli(app, "deliveries").splitlines()[1:]] == ["pending"]


def test_a_webhook_another_host_adds_gets_the_very_next_change_of_every_kind(app, api,
                                                                            database_url):
    record_id = api.create(addressCity="Recife")["id"]
    for method, path, fields in [("PUT", "", {"addressCity": "Olinda"}), ("DELETE", "", None),
                                 ("POST", "/restore", None), ("POST", "/revert", {"version": 2})]:
        assert api.send(method, f"/customers/{record_id}{path}", fields).status_code == 200
    assert cli(app, "deliveries").splitlines()[1:] == []  # no webhook: nothing queued
    with app_on(database_url) as other_host:  # this app has written without a webhook
        add_webhook(other_host, "http://127.0.0.1:9/")
    for method, path, fields in [("PUT", "", {"addressCity": "Caruaru"}), ("DELETE", "", None),
                                 ("POST", "/restore", None), ("POST", "/revert", {"version": 1})]:
        assert api.send(method, f"/customers/{record_id}{path}", fields).status_code == 200
    newest_first = [line.split("\t")[1:3] for line in cli(app, "deliveries").splitlines()[1:]]
    assert newest_first == [[event, record_id] for event in ("entry.update", "entry.create",
                                                             "entry.delete", "entry.update")]
