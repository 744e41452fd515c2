"""`flask trash purge` and `flask customers erase`: records removed for good, their history
keeping who, when and which fields, never the values."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from customers.extensions import db
from customers.models import utcnow
from tests.test_history import history_of
from tests.webhooks import add_webhook


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def deleted_days_ago(app, record_id: str, days: float) -> None:
    """Pretend the record went to the trash `days` ago."""
    with app.app_context():
        db.session.execute(text("UPDATE customers SET deleted_at = :at WHERE id = :id"),
                           {"at": utcnow() - timedelta(days=days), "id": int(record_id)})
        db.session.commit()


def stored_ids(app) -> list[int]:
    with app.app_context():
        return [r[0] for r in db.session.execute(text("SELECT id FROM customers ORDER BY id"))]


def values_in(entries: list[dict]) -> list:
    return [v for e in entries for change in e["changes"].values() for v in change.values()
            if v is not None]


def test_purge_removes_what_was_deleted_before_the_retention(app, api):
    live = api.create(addressCity="Recife")
    old, recent = (api.create(addressCity="Olinda", gender="male") for _ in range(2))
    for record, days in ((old, 31), (recent, 29)):
        api.send("DELETE", f"/customers/{record['id']}")
        deleted_days_ago(app, record["id"], days)
    result = run(app, "trash", "purge")
    assert result.exit_code == 0 and "purged 1 record " in result.output
    assert stored_ids(app) == [int(live["id"]), int(recent["id"])]
    entries = history_of(app, old["id"])
    assert [(e["action"], e["changed_by"]) for e in entries] == [("create", "writer"),
                                                                 ("delete", "writer")]
    assert entries[0]["changes"] == {"addressCity": {"from": None, "to": None},
                                     "gender": {"from": None, "to": None}}
    assert sorted(values_in(history_of(app, recent["id"]))) == ["Olinda", "male"]  # untouched
    assert api.send("GET", f"/customers/{old['id']}/history/1").status_code == 404
    timeline = api.send("GET", f"/customers/{old['id']}/history")
    assert timeline.status_code == 200 and timeline.headers["X-Total-Count"] == "2"
    assert api.send("GET", "/customers/count").get_json() == 1
    assert api.send("POST", f"/customers/{old['id']}/restore").status_code == 404


def test_a_retention_of_zero_empties_the_trash(app, api, monkeypatch):
    records = [api.create(addressCity=f"C{n}") for n in range(3)]
    for record in records[:2]:
        api.send("DELETE", f"/customers/{record['id']}")
    app.config["TRASH_RETENTION_DAYS"] = 0
    result = run(app, "trash", "purge")
    assert result.exit_code == 0 and "purged 2 records" in result.output
    assert stored_ids(app) == [int(records[2]["id"])]
    assert run(app, "trash", "purge").output.startswith("purged 0 records")


def test_a_negative_retention_is_one_line(app):
    app.config["TRASH_RETENTION_DAYS"] = -1
    result = run(app, "trash", "purge")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "TRASH_RETENTION_DAYS" in result.output


@pytest.mark.parametrize("in_trash", [False, True])
def test_erase_blanks_every_value_and_keeps_who_and_when(app, api, client, in_trash):
    add_webhook(app, "http://127.0.0.1:9/hook")
    record = api.create(addressCity="Recife", referenceId="CPF-123")
    api.send("PUT", f"/customers/{record['id']}", {"addressStreet": "Rua A, 1"})
    if in_trash:
        api.send("DELETE", f"/customers/{record['id']}")
    result = run(app, "customers", "erase", record["id"], "--by", "dpo")
    assert result.exit_code == 0, result.output
    assert stored_ids(app) == []
    entries = history_of(app, record["id"])
    assert values_in(entries) == []
    assert entries[1]["changes"] == {"addressStreet": {"from": None, "to": None}}
    last = entries[-1]
    assert (last["action"], last["changed_by"], last["via"], last["changes"]) == (
        "erase", "dpo", "cli", {})
    assert [e["version"] for e in entries] == list(range(1, len(entries) + 1))
    with app.app_context():
        payloads = [r[0] for r in db.session.execute(text("SELECT payload FROM webhook_messages"))]
    assert payloads and not any("Recife" in p or "CPF-123" in p for p in payloads)
    assert json.loads(payloads[-1])["event"] == "entry.delete"
    assert api.send("GET", f"/customers/{record['id']}").status_code == 404
    for version in range(1, len(entries) + 1):
        assert api.send("GET", f"/customers/{record['id']}/history/{version}").status_code == 404


def test_erase_forgets_an_idempotent_creates_stored_answer(app, api):
    created = api.send("POST", "/customers", {"addressCity": "Recife"},
                       **{"Idempotency-Key": "k-1"})
    record_id = created.get_json()["id"]
    assert run(app, "customers", "erase", record_id, "--by", "dpo").exit_code == 0
    with app.app_context():
        answers = db.session.execute(text("SELECT payload FROM idempotency_keys")).all()
    assert not any("Recife" in (payload or "") for (payload,) in answers)


@pytest.mark.parametrize("args, words", [
    (["999"], "No customer"), (["abc"], "No customer"), ([], "Missing argument"),
])
def test_erase_mistakes_are_one_line(app, api, args, words):
    by = ["--by", "dpo"] if args else []
    result = run(app, "customers", "erase", *args, *by)
    assert result.exit_code != 0 and words in result.output and "Traceback" not in result.output


def test_erase_needs_the_operator(app, api):
    record = api.create(addressCity="Recife")
    result = run(app, "customers", "erase", record["id"])
    assert result.exit_code != 0 and "--by" in result.output
    assert stored_ids(app) == [int(record["id"])]
