"""History's journal: every write through the service (API, pages, CSV import) leaves one
entry in its own transaction, with who, how, which request and what changed; a write that
changes nothing leaves none; the webhook outbox gets each change exactly once."""
from __future__ import annotations

import json

import pytest
from lxml import etree
from sqlalchemy import text

from customers.extensions import db
from tests.client import FORMATS, decode_answer
from tests.test_csv import import_csv
from tests.test_pages import person, signed_in, submit  # noqa: F401  (fixtures)
from tests.webhooks import add_webhook

RID = {"X-Request-ID": "trace-42"}


def history_of(app, customer_id) -> list[dict]:
    """The record's entries, oldest first, `changes` decoded."""
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT version, action, changed_by, via, request_id, changes FROM customer_history "
            "WHERE customer_id = :c ORDER BY version"), {"c": int(customer_id)}).mappings().all()
    return [{**row, "changes": json.loads(row["changes"]) if isinstance(row["changes"], str)
             else row["changes"]} for row in rows]


def events_of(app, customer_id) -> list[tuple[str, int]]:
    """(event, version) of each outbox message of the record, in order."""
    with app.app_context():
        return [tuple(r) for r in db.session.execute(text(
            "SELECT event, version FROM webhook_messages WHERE customer_id = :c ORDER BY id"),
            {"c": int(customer_id)})]


def test_a_create_lists_each_field_given_a_value_from_null(app, api):
    record = api.send("POST", "/customers", {"addressCity": "Recife", "gender": "female",
                                             "uuid": None}, **RID).get_json()
    [entry] = history_of(app, record["id"])
    assert (entry["version"], entry["action"], entry["changed_by"], entry["via"],
            entry["request_id"]) == (1, "create", "writer", "api", "trace-42")
    assert entry["changes"] == {"addressCity": {"from": None, "to": "Recife"},
                                "gender": {"from": None, "to": "female"}}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_an_update_in_each_format_lists_only_what_changed(app, api, fmt, method):
    record = api.create(addressCity="Recife", dateOfBirth="1980-05-01", gender="male")
    body = {"addressCity": "Olinda", "dateOfBirth": "1981-06-02", "gender": "male"}
    response = api.send(method, f"/customers/{record['id']}", body, fmt=fmt, **RID)
    assert response.status_code == 200 and response.headers["ETag"] == f'"c{record["id"]}v2"'
    latest = history_of(app, record["id"])[-1]
    assert (latest["version"], latest["action"], latest["request_id"]) == (2, "update", "trace-42")
    assert latest["changes"] == {"addressCity": {"from": "Recife", "to": "Olinda"},
                                 "dateOfBirth": {"from": "1980-05-01", "to": "1981-06-02"}}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_put_that_changes_nothing_writes_nothing(app, api, snapshot, fmt):
    add_webhook(app, "http://127.0.0.1:9/")
    record = api.create(addressCity="Recife", referenceId="R-1")
    before, events = snapshot(), events_of(app, record["id"])
    response = api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Recife"}, fmt=fmt)
    assert response.status_code == 200 and response.headers["ETag"] == f'"c{record["id"]}v1"'
    assert response.get_json() == record
    assert snapshot() == before and events_of(app, record["id"]) == events == [("entry.create", 1)]


def test_a_put_that_changes_nothing_still_checks_if_match(api, snapshot):
    record = api.create(addressCity="Recife")
    api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Olinda"})
    before = snapshot()
    stale = api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Olinda"},
                     **{"If-Match": f'"c{record["id"]}v1"'})
    assert stale.status_code == 412 and snapshot() == before


def test_each_change_is_one_entry_and_one_webhook_message(app, api):
    add_webhook(app, "http://127.0.0.1:9/")
    record = api.create(addressCity="Recife")
    api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Olinda"})
    assert api.send("DELETE", f"/customers/{record['id']}").status_code == 200
    entries = history_of(app, record["id"])
    assert [(e["version"], e["action"]) for e in entries] == [(1, "create"), (2, "update"),
                                                              (3, "delete")]
    assert entries[-1]["changes"] == {}
    assert events_of(app, record["id"]) == [("entry.create", 1), ("entry.update", 2),
                                            ("entry.delete", 3)]


def test_an_import_journals_each_row_via_import(app, api):
    add_webhook(app, "http://127.0.0.1:9/")
    kept = api.create(referenceId="K", addressCity="Recife")
    changed = api.create(referenceId="C", addressCity="Natal")
    response = import_csv(api, "id,referenceId,addressCity\r\n"
                               f"{kept['id']},K,Recife\r\n{changed['id']},C,Natal RN\r\n,NEW,Olinda\r\n",
                          **RID)
    assert response.get_json() == {"created": 1, "updated": 1, "unchanged": 1}
    assert len(history_of(app, kept["id"])) == 1  # unchanged: no entry, no event
    merged = history_of(app, changed["id"])[-1]
    assert (merged["version"], merged["action"], merged["via"], merged["request_id"]) == (
        2, "import", "import", "trace-42")
    assert merged["changes"] == {"addressCity": {"from": "Natal", "to": "Natal RN"}}
    new_id = api.send("GET", "/customers?referenceId=NEW").get_json()[0]["id"]
    [created] = history_of(app, new_id)
    assert (created["action"], created["via"]) == ("import", "import")
    assert events_of(app, changed["id"])[-1] == ("entry.update", 2)
    assert events_of(app, new_id) == [("entry.create", 1)]
    assert events_of(app, kept["id"]) == [("entry.create", 1)]


def test_a_change_whose_entry_cannot_be_written_is_not_made(app, api, snapshot):
    record = api.create(addressCity="Recife")
    with app.app_context():  # an entry already holds version 2: the journal's INSERT fails
        db.session.execute(text(
            "INSERT INTO customer_history (customer_id, version, action, changed_at, changed_by, "
            "via, request_id, changes) VALUES (:c, 2, 'update', '2026-01-01', 'x', 'cli', '-', '{}')"),
            {"c": int(record["id"])})
        db.session.commit()
    before = snapshot()
    response = api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Olinda"})
    assert response.status_code >= 400 and snapshot() == before
    assert api.get(record["id"])["addressCity"] == "Recife"


def test_the_pages_journal_via_page(app, signed_in):
    response = submit(signed_in, "/customers/new", {"addressCity": "Recife"})
    assert response.status_code == 302
    [entry] = history_of(app, response.location.split("/")[2])
    assert (entry["action"], entry["via"], entry["changed_by"]) == ("create", "page", "ana")


def timeline(api, customer_id, query=""):
    """The decoded history answer (newest first) and its X-Total-Count."""
    response = api.send("GET", f"/customers/{customer_id}/history{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json(), int(response.headers["X-Total-Count"])


def test_the_timeline_shows_every_entry_newest_first(api):
    record = api.send("POST", "/customers", {"addressCity": "Recife"}, **RID).get_json()
    api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Olinda"})
    [latest, first], total = timeline(api, record["id"])
    assert total == 2 and (latest["version"], latest["action"], latest["by"]) == (2, "update", "writer")
    assert latest["changes"] == {"addressCity": {"from": "Recife", "to": "Olinda"}}
    assert (first["requestId"], first["via"]) == ("trace-42", "api")
    assert first["at"].endswith("Z") and first["at"][:4].isdigit()


def test_the_timeline_pages_with_the_total(api):
    record = api.create(uuid="u0")
    for n in range(1, 7):
        api.send("PUT", f"/customers/{record['id']}", {"uuid": f"u{n}"})
    page, total = timeline(api, record["id"], "?_limit=2&_start=1")
    assert total == 7 and [e["version"] for e in page] == [6, 5]
    everything, _ = timeline(api, record["id"], "?_limit=-1")
    assert [e["version"] for e in everything] == [7, 6, 5, 4, 3, 2, 1]


def test_a_deleted_record_keeps_its_timeline(api):
    record = api.create(addressCity="Recife")
    api.send("DELETE", f"/customers/{record['id']}")
    entries, total = timeline(api, record["id"])
    assert total == 2 and [e["action"] for e in entries] == ["delete", "create"]


def test_the_timeline_in_xml(api):
    record = api.create(addressCity="Recife")
    api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Olinda"})
    response = api.send("GET", f"/customers/{record['id']}/history", accept="application/xml")
    assert response.mimetype == "application/xml"
    root = etree.fromstring(response.data)
    assert root.tag == "items" and [e.tag for e in root] == ["entry", "entry"]
    assert [c.tag for c in root[0]] == ["version", "action", "at", "by", "via", "requestId", "changes"]
    change = root[0].find("changes/change")
    assert change.get("field") == "addressCity"
    assert change.findtext("from") == "Recife" and change.findtext("to") == "Olinda"
    assert root[1].find("changes/change/from").text is None


@pytest.mark.parametrize("path", ["/customers/999/history", "/customers/abc/history"])
def test_the_timeline_of_an_id_that_never_existed_is_404(api, path):
    response = api.send("GET", path, accept="application/xml")
    assert response.status_code == 404 and decode_answer(response)["code"] == 404


@pytest.mark.parametrize("query, name", [("_limit=x", "_limit"), ("_start=-1", "_start"),
                                         ("addressCity=x", "addressCity"), ("_limit=٣", "_limit")])
def test_bad_paging_is_400_naming_the_parameter(api, query, name):
    record = api.create()
    response = api.send("GET", f"/customers/{record['id']}/history?{query}")
    assert response.status_code == 400 and name in response.get_json()["errors"]


def test_the_timeline_needs_a_token(client, read_token, api):
    record = api.create()
    assert client.get(f"/customers/{record['id']}/history").status_code == 403
    reader = client.get(f"/customers/{record['id']}/history",
                        headers={"Authorization": f"Bearer {read_token}"})
    assert reader.status_code == 200
