"""The trash, restore, revert and the record at a version, through the API: each action a
version of its own with its history entry; every bad request an error in the client's
format that changes nothing."""
from __future__ import annotations

import pytest

from tests.client import ACCEPTS, FORMATS, decode_answer
from tests.test_history import history_of

RID = {"X-Request-ID": "trace-7"}


def tag(record_id: str, version: int) -> str:
    return f'"c{record_id}v{version}"'


def trashed(api, **fields) -> dict:
    """A record, created then deleted."""
    record = api.create(**fields)
    assert api.send("DELETE", f"/customers/{record['id']}").status_code == 200
    return record


def test_a_deleted_record_is_gone_from_every_list_count_and_filter(api):
    kept = api.create(addressCity="Recife", gender="female")
    gone = trashed(api, addressCity="Recife", gender="female")
    for query in ("", "?addressCity=Recife", "?gender=female", "?_q=Recife",
                  f"?id_in={gone['id']}&id_in={kept['id']}", "?_where[0][addressCity]=Recife"):
        listed = api.send("GET", f"/customers{query}")
        assert [r["id"] for r in listed.get_json()] == [kept["id"]], query
        assert listed.headers["X-Total-Count"] == "1", query
        assert api.send("GET", f"/customers/count{query}").get_json() == 1, query


@pytest.mark.parametrize("accept", ACCEPTS)
def test_a_trashed_record_answers_404_saying_it_can_be_restored(api, accept):
    gone = trashed(api, addressCity="Recife")
    for method, body in (("GET", None), ("PUT", {"addressCity": "x"}), ("PATCH", {}),
                         ("DELETE", None)):
        answer = api.send(method, f"/customers/{gone['id']}", body, accept=accept)
        assert answer.status_code == 404 and answer.mimetype == accept, method
        error = decode_answer(answer)
        assert error["code"] == 404
        assert "in the trash" in error["message"] and "restore" in error["message"]
    assert history_of_actions(api, gone["id"]) == ["delete", "create"]


def history_of_actions(api, record_id: str) -> list[str]:
    return [e["action"] for e in api.send("GET", f"/customers/{record_id}/history").get_json()]


@pytest.mark.parametrize("accept", ACCEPTS)
def test_the_trash_lists_deleted_records_with_the_lists_parameters(api, accept):
    api.create(addressCity="Recife")
    first = trashed(api, addressCity="Olinda")
    second = trashed(api, addressCity="Recife")
    answer = api.send("GET", "/customers/deleted", accept=accept)
    assert answer.status_code == 200 and answer.headers["X-Total-Count"] == "2"
    listed = decode_answer(answer)
    assert [r["id"] for r in listed] == [first["id"], second["id"]]
    assert all(r["deleted_by"] == "writer" and r["deleted_at"].endswith("Z") for r in listed)
    filtered = api.send("GET", "/customers/deleted?addressCity=Recife&_sort=id:DESC")
    assert [r["id"] for r in filtered.get_json()] == [second["id"]]
    assert filtered.headers["X-Total-Count"] == "1"
    assert api.send("GET", "/customers/deleted?nope=1").status_code == 400
    assert api.send("PUT", "/customers/deleted", {}).status_code == 405


@pytest.mark.parametrize("accept", ACCEPTS)
def test_restore_brings_the_record_back_as_a_new_version(app, api, accept):
    gone = trashed(api, addressCity="Recife", gender="male")
    answer = api.send("POST", f"/customers/{gone['id']}/restore", accept=accept, **RID)
    assert answer.status_code == 200 and answer.headers["ETag"] == tag(gone["id"], 3)
    assert answer.headers["Content-Location"].endswith(f"/customers/{gone['id']}")
    restored = decode_answer(answer)
    assert (restored["id"], restored["addressCity"]) == (gone["id"], "Recife")
    assert api.get(gone["id"])["gender"] == "male"
    assert api.send("GET", "/customers/count").get_json() == 1
    assert api.send("GET", "/customers/deleted").get_json() == []
    entries = history_of(app, gone["id"])
    assert [(e["version"], e["action"]) for e in entries] == [(1, "create"), (2, "delete"),
                                                              (3, "restore")]
    assert entries[-1]["changes"] == {} and entries[-1]["request_id"] == "trace-7"


@pytest.mark.parametrize("accept", ACCEPTS)
def test_restore_errors_change_nothing(api, snapshot, accept):
    live = api.create(addressCity="Recife")
    gone = trashed(api, addressCity="Olinda")
    before = snapshot()
    cases = [(f"/customers/{live['id']}/restore", {}, 409, "not in the trash"),
             ("/customers/999999/restore", {}, 404, "No customer"),
             ("/customers/abc/restore", {}, 404, "No customer"),
             (f"/customers/{gone['id']}/restore", {"If-Match": tag(gone["id"], 1)}, 412, "If-Match")]
    for path, headers, status, words in cases:
        answer = api.send("POST", path, accept=accept, **headers)
        assert answer.status_code == status, path
        error = decode_answer(answer)
        assert error["code"] == status and words in error["message"], error
    assert snapshot() == before


def test_restore_and_revert_need_a_write_token(client, read_token, api, snapshot):
    gone = trashed(api)
    before = snapshot()
    reader = {"Authorization": f"Bearer {read_token}"}
    assert client.post(f"/customers/{gone['id']}/restore", headers=reader).status_code == 403
    assert client.post(f"/customers/{gone['id']}/revert", json={"version": 1},
                       headers=reader).status_code == 403
    assert client.post(f"/customers/{gone['id']}/restore").status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("fmt", FORMATS)
def test_revert_takes_the_values_of_a_version_as_a_new_one(app, api, fmt):
    record = api.create(addressCity="Recife", dateOfBirth="1980-05-01")
    api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Olinda", "gender": "male",
                                                  "dateOfBirth": None})
    answer = api.send("POST", f"/customers/{record['id']}/revert", {"version": 1}, fmt=fmt, **RID)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.headers["ETag"] == tag(record["id"], 3)
    assert answer.headers["Content-Location"].endswith(f"/customers/{record['id']}")
    reverted = answer.get_json()
    assert (reverted["addressCity"], reverted["gender"], reverted["dateOfBirth"]) == (
        "Recife", None, "1980-05-01")
    latest = history_of(app, record["id"])[-1]
    assert (latest["version"], latest["action"], latest["via"], latest["request_id"]) == (
        3, "revert", "api", "trace-7")
    assert latest["changes"] == {"addressCity": {"from": "Olinda", "to": "Recife"},
                                 "gender": {"from": "male", "to": None},
                                 "dateOfBirth": {"from": None, "to": "1980-05-01"}}


def test_a_revert_to_the_values_it_has_makes_no_version(app, api):
    record = api.create(addressCity="Recife")
    api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Olinda"})
    api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Recife"})
    answer = api.send("POST", f"/customers/{record['id']}/revert", {"version": 1})
    assert answer.status_code == 200 and answer.headers["ETag"] == tag(record["id"], 3)
    assert len(history_of(app, record["id"])) == 3


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("body, status, words", [
    ({"version": 99}, 404, "no version 99"),
    ({"version": "abc"}, 422, "version"),
    ({"version": 1.5}, 422, "version"),
    ({"version": True}, 422, "version"),
    ({"version": 0}, 422, "version"),
    ({}, 422, "version"),
    ({"version": 1, "addressCity": "x"}, 422, "addressCity"),
])
def test_revert_errors_change_nothing(api, snapshot, accept, body, status, words):
    record = api.create(addressCity="Recife")
    api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Olinda"})
    before = snapshot()
    answer = api.send("POST", f"/customers/{record['id']}/revert", body, accept=accept)
    assert answer.status_code == status
    error = decode_answer(answer)
    assert error["code"] == status
    assert words in error["message"] or words in error.get("errors", {}), error
    assert snapshot() == before


def test_revert_with_a_stale_if_match_is_412_and_a_trashed_record_404(api, snapshot):
    record = api.create(addressCity="Recife")
    api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Olinda"})
    before = snapshot()
    stale = api.send("POST", f"/customers/{record['id']}/revert", {"version": 1},
                     **{"If-Match": tag(record["id"], 1)})
    assert stale.status_code == 412 and stale.get_json()["code"] == 412
    assert snapshot() == before
    fresh = api.send("POST", f"/customers/{record['id']}/revert", {"version": 1},
                     **{"If-Match": tag(record["id"], 2)})
    assert fresh.status_code == 200
    api.send("DELETE", f"/customers/{record['id']}")
    before = snapshot()
    gone = api.send("POST", f"/customers/{record['id']}/revert", {"version": 1})
    assert gone.status_code == 404 and "in the trash" in gone.get_json()["message"]
    assert api.send("POST", "/customers/999999/revert", {"version": 1}).status_code == 404
    assert snapshot() == before


def test_a_bad_revert_body_is_a_400_in_the_clients_format(api):
    record = api.create()
    answer = api.client.post(f"/customers/{record['id']}/revert", data=b"{not json",
                             headers={**api.headers("application/xml"),
                                      "Content-Type": "application/json"})
    assert answer.status_code == 400 and decode_answer(answer)["code"] == 400
    assert answer.mimetype == "application/xml"


@pytest.mark.parametrize("accept", ACCEPTS)
def test_the_record_at_each_version(api, accept):
    record = api.create(addressCity="Recife", gender="female")
    api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Olinda", "gender": None})
    api.send("DELETE", f"/customers/{record['id']}")
    first = decode_answer(api.send("GET", f"/customers/{record['id']}/history/1", accept=accept))
    second = decode_answer(api.send("GET", f"/customers/{record['id']}/history/2", accept=accept))
    assert (first["id"], first["addressCity"], first["gender"]) == (record["id"], "Recife", "female")
    assert (second["addressCity"], second["gender"]) == ("Olinda", None)
    assert second["published_at"] == record["published_at"]
    assert second["updated_by"] == "writer"
    for version in ("4", "0", "abc", "99999999999999999999"):
        answer = api.send("GET", f"/customers/{record['id']}/history/{version}", accept=accept)
        assert answer.status_code == 404 and decode_answer(answer)["code"] == 404, version
    assert api.send("GET", "/customers/999999/history/1").status_code == 404


def test_every_action_numbers_history_without_gaps(app, api):
    record = api.create(addressCity="Recife")
    path = f"/customers/{record['id']}"
    api.send("PUT", path, {"addressCity": "Olinda"})
    api.send("PUT", path, {"addressCity": "Olinda"})  # no change: no version
    api.send("DELETE", path)
    api.send("POST", f"{path}/restore")
    api.send("POST", f"{path}/revert", {"version": 1})
    entries = history_of(app, record["id"])
    assert [(e["version"], e["action"]) for e in entries] == [
        (1, "create"), (2, "update"), (3, "delete"), (4, "restore"), (5, "revert")]
    assert api.send("GET", path).headers["ETag"] == tag(record["id"], 5)


def test_concurrent_writers_leave_one_entry_per_acknowledged_change(app, live_server):
    """Against gunicorn (2 workers): 4 writers PUT one record 15 times each while a fifth
    deletes and restores it; every 200 is one version and one entry, numbered without gaps."""
    import json
    import threading
    import urllib.error
    import urllib.request

    server = live_server
    headers = {"Authorization": f"Bearer {server.write_token}", "Content-Type": "application/json"}

    def send(method: str, path: str, body: dict | None = None) -> int:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(server.url + path, data=data, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with urllib.request.urlopen(urllib.request.Request(
            f"{server.url}/customers", data=b"{}", method="POST", headers=headers)) as response:
        record_id = json.load(response)["id"]
    acknowledged: list[str] = []
    unexpected: list[int] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        for round_number in range(15):
            status = send("PUT", f"/customers/{record_id}",
                          {"addressCity": f"w{n}-{round_number}"})
            with lock:
                if status == 200:
                    acknowledged.append("update")
                elif status != 404:  # 404: in the trash at that moment
                    unexpected.append(status)

    def mover() -> None:
        for _ in range(5):
            for action, method, path in (("delete", "DELETE", ""), ("restore", "POST", "/restore")):
                if send(method, f"/customers/{record_id}{path}") == 200:
                    with lock:
                        acknowledged.append(action)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    threads.append(threading.Thread(target=mover))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert unexpected == []
    entries = history_of(app, record_id)
    assert [e["version"] for e in entries] == list(range(1, len(acknowledged) + 2))
    assert sorted(e["action"] for e in entries[1:]) == sorted(acknowledged)
    assert acknowledged.count("delete") == 5 and acknowledged.count("restore") == 5


@pytest.mark.parametrize("action", ["delete", "restore", "revert"])
def test_an_action_whose_entry_cannot_be_written_is_not_made(app, api, snapshot, action):
    from sqlalchemy import text

    from customers.extensions import db

    record = api.create(addressCity="Recife")
    path = f"/customers/{record['id']}"
    api.send("PUT", path, {"addressCity": "Olinda"})
    if action == "restore":
        api.send("DELETE", path)
    with app.app_context():  # an entry already holds the next version: the journal fails
        next_version = 4 if action == "restore" else 3
        db.session.execute(text(
            "INSERT INTO customer_history (customer_id, version, action, changed_at, changed_by, "
            "via, request_id, changes) VALUES (:c, :v, 'update', '2026-01-01', 'x', 'cli', '-', '{}')"),
            {"c": int(record["id"]), "v": next_version})
        db.session.commit()
    before = snapshot()
    method, suffix, body = {"delete": ("DELETE", "", None), "restore": ("POST", "/restore", None),
                            "revert": ("POST", "/revert", {"version": 1})}[action]
    assert api.send(method, path + suffix, body).status_code >= 400
    assert snapshot() == before
