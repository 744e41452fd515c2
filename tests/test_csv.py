"""CSV export and import: spreadsheet-safe out, all-or-nothing in, and a round trip that changes nothing."""
from __future__ import annotations

import csv
import io

import pytest

from customers.csv_codec import escape_cell, unescape_cell

HEADER = ["id", "uuid", "referenceId", "dateOfBirth", "addressStreet", "addressNeighborhood",
          "addressCity", "addressState", "addressCountry", "gender", "maritalStatus",
          "published_at", "created_by", "updated_by"]


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


def export(api, query: str = "", **headers):
    return api.client.get(f"/customers/export{query}", headers=api.headers("text/csv", **headers))


def import_csv(api, text: str | bytes, query: str = "", **headers):
    body = text.encode() if isinstance(text, str) else text
    return api.client.post(f"/customers/import{query}", data=body, headers=api.headers(
        **{"Content-Type": "text/csv", **headers}))


@pytest.mark.parametrize("value, cell", [
    (None, ""), ("plain", "plain"), ("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-1", "'-1"),
    ("@cmd", "'@cmd"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("'=x", "''=x"), ("'plain", "'plain"),
])
def test_cells_that_a_spreadsheet_would_run_are_escaped_and_come_back(value, cell):
    assert escape_cell(value) == cell
    assert unescape_cell(cell) == ("" if value is None else value)


def test_the_list_answers_csv_when_asked(api):
    api.create(referenceId="R-1", addressCity="São Paulo")
    api.create(referenceId="R-2", addressCity="Recife")
    response = api.client.get("/customers?_sort=id:DESC&_limit=1", headers=api.headers("text/csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["X-Total-Count"] == "2" and "Accept" in response.headers["Vary"]
    rows = rows_of(response)
    assert rows[0] == HEADER and len(rows) == 2 and rows[1][2] == "R-2"


def test_json_stays_the_default(api):
    api.create()
    response = api.client.get("/customers", headers=api.headers("*/*"))
    assert response.mimetype == "application/json"


def test_export_streams_every_match_with_filters_accents_and_escapes(api):
    api.create(referenceId="=HYPERLINK(\"x\")", addressCity="São Paulo", gender="female")
    api.create(referenceId="R-2", addressCity="Recife", gender="male")
    for number in range(3):
        api.create(referenceId=f"F-{number}", gender="female")
    response = export(api, "?gender=female&_sort=id:ASC")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed and "attachment" in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0] == HEADER and len(rows) == 5  # no page limit: every match
    assert rows[1][2] == "'=HYPERLINK(\"x\")" and rows[1][6] == "São Paulo"
    assert response.get_data().decode("utf-8")  # UTF-8 throughout


def test_export_ignores_the_page_size_but_honours_an_explicit_limit(api, app):
    app.config["CUSTOMERS_DEFAULT_LIMIT"] = 2
    for _ in range(4):
        api.create()
    assert len(rows_of(export(api))) == 5
    assert len(rows_of(export(api, "?_limit=1&_start=1"))) == 2


def test_export_refuses_bad_filters_and_other_formats(api):
    assert export(api, "?nosuch=1").status_code == 400
    response = api.client.get("/customers/export", headers=api.headers("application/json"))
    assert response.status_code == 406


def test_export_needs_a_token(client):
    assert client.get("/customers/export").status_code == 403


def test_import_creates_and_merges_and_counts(api, snapshot):
    kept = api.create(referenceId="K", addressCity="Recife")
    changed = api.create(referenceId="C", addressCity="Natal", gender="male")
    text = ("id,referenceId,addressCity,gender\r\n"
            f"{kept['id']},K,Recife,\r\n"
            f"{changed['id']},C,\"Natal, RN\",\r\n"
            ",NEW,\"Line one\nline two\",female\r\n")
    response = import_csv(api, "\ufeff" + text)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"created": 1, "updated": 1, "unchanged": 1}
    assert api.get(changed["id"])["addressCity"] == "Natal, RN"
    assert api.get(changed["id"])["gender"] is None  # an empty cell clears, as in a form
    assert api.get(changed["id"])["referenceId"] == "C"  # merged, not replaced
    created = api.send("GET", "/customers?referenceId=NEW").get_json()
    assert created[0]["addressCity"] == "Line one\nline two" and created[0]["gender"] == "female"


def test_a_dry_run_reports_and_writes_nothing(api, snapshot):
    api.create(referenceId="K")
    before = snapshot()
    response = import_csv(api, "referenceId\nA\nB\n", "?dryRun=true")
    assert response.status_code == 200
    assert response.get_json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert snapshot() == before


def test_one_bad_row_among_500_writes_nothing_and_every_bad_row_is_named(api, snapshot):
    before = snapshot()
    lines = ["referenceId,dateOfBirth,gender"] + [f"R-{n},1980-01-01,female" for n in range(500)]
    lines[3] = "R-bad,1980-02-30,female"
    lines[300] = "R-bad2,1980-01-01,robot"
    response = import_csv(api, "\n".join(lines))
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"4", "301"}
    assert list(errors["4"]) == ["dateOfBirth"] and list(errors["301"]) == ["gender"]
    assert snapshot() == before


def test_the_same_rows_give_the_same_messages_as_the_api(api):
    response = import_csv(api, "dateOfBirth\n2999-01-01\n")
    put = api.send("POST", "/customers", {"dateOfBirth": "2999-01-01"})
    assert response.get_json()["errors"]["2"] == put.get_json()["errors"]


def test_unknown_and_repeated_columns_are_named_under_row_one(api, snapshot):
    response = import_csv(api, "referenceId,adressCity,referenceId\nA,B,C\n")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"1": {
        "adressCity": ["Unknown field."], "referenceId": ["Given in more than one column."]}}
    assert snapshot() == []


def test_ids_that_name_no_record_are_row_errors(api, snapshot):
    record = api.create(referenceId="A")
    response = import_csv(api, f"id,referenceId\n999,X\nabc,Y\n{record['id']},Z\n{record['id']},W\n")
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"2", "3", "5"} and all(list(e) == ["id"] for e in errors.values())
    assert api.get(record["id"])["referenceId"] == "A"


@pytest.mark.parametrize("body, status", [
    (b"\xff\xfe,x", 400), (b'referenceId\n"open quote\n', 400), (b"a,b\n1\n", 400), (b"", 400),
])
def test_malformed_csv_is_400(api, body, status, snapshot):
    assert import_csv(api, body).status_code == status
    assert snapshot() == []


def test_import_takes_only_csv_and_a_write_token(api, client, read_token):
    response = api.client.post("/customers/import", data="{}", headers=api.headers(
        **{"Content-Type": "application/json"}))
    assert response.status_code == 415
    assert client.post("/customers/import", data="a\n", headers={
        "Authorization": f"Bearer {read_token}", "Content-Type": "text/csv"}).status_code == 403


def test_import_has_its_own_size_limit(api, app):
    app.config["MAX_CONTENT_LENGTH"] = 100
    app.config["IMPORT_MAX_BYTES"] = 1000
    assert import_csv(api, "referenceId\n" + "R\n" * 100).status_code == 200
    response = import_csv(api, "referenceId\n" + "R\n" * 600)
    assert response.status_code == 413 and response.get_json()["code"] == 413


def test_an_export_imports_back_unchanged(api, snapshot):
    api.create(referenceId="=1+1", addressCity="São Paulo", addressStreet="-5 Rua, \"A\"",
               dateOfBirth="1977-05-01", gender="other", maritalStatus="stable_union")
    api.create(referenceId="@x", uuid="'=y", addressNeighborhood="Line\nbreak")
    api.create()
    before = snapshot()
    response = import_csv(api, export(api).get_data())
    assert response.status_code == 200
    assert response.get_json() == {"created": 0, "updated": 0, "unchanged": 3}
    assert snapshot() == before


def test_import_of_1000_rows(api):
    lines = ["referenceId,addressCity"] + [f"R-{n},City {n % 7}" for n in range(1000)]
    response = import_csv(api, "\n".join(lines))
    assert response.get_json() == {"created": 1000, "updated": 0, "unchanged": 0}
    assert api.send("GET", "/customers/count").get_json() == 1000
    assert api.send("GET", "/customers/count?addressCity=City 3").get_json() == 143


def test_an_import_is_idempotent_with_a_key(api):
    first = import_csv(api, "referenceId\nA\n", **{"Idempotency-Key": '"import-1"'})
    again = import_csv(api, "referenceId\nA\n", **{"Idempotency-Key": '"import-1"'})
    assert first.get_json() == again.get_json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert again.headers["Idempotent-Replayed"] == "true"
    assert api.send("GET", "/customers/count").get_json() == 1
