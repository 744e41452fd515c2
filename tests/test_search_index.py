"""The search index behind `_q`: Strapi's meaning kept (a case-insensitive substring of some
searched field or of the id), whatever the text's length or characters; kept exact by every
write; records in the trash or removed for good never found; built by migration 0008 over the
records already there."""
from __future__ import annotations

from datetime import date
from functools import partial
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from sqlalchemy import event, text

from customers import search_index
from customers.extensions import db
from customers.schemas import WRITABLE
from customers.search_text import SEARCHED, exact_text, folded_text
from customers.tokens import issue_token
from tests.client import Api
from tests.conftest import app_on
from tests.test_csv import import_csv
from tests.test_migrations import empty_database, postgres_database  # noqa: F401  (fixtures)
from tests.test_migrations import upgrade_with

RECORDS = [
    {"referenceId": "100% \"quoted\"", "addressCity": "São Paulo", "gender": "female"},
    {"referenceId": "a_b*c", "addressStreet": "Rua (NEAR) x:y", "gender": "male"},
    {"uuid": "ΟΔΟΣ", "addressNeighborhood": "Straße", "maritalStatus": "stable_union"},
    {"addressCountry": "Brasil", "addressState": "PE", "addressCity": "SAO PAULO"},
    {"referenceId": "ab", "created_by_like": None},
]
QUERIES = ["%", "_", "a_b", "\"quo", "\"", "*", "(near)", "x:y", "are", "ao", "são", "SÃO",
           "sao", "o p", "paulo", "male", "fem", "stable_", "ΟΣ", "οδοσ", "straße", "STRASSE",
           "1", "2", "b*c", "e\u0301", "writer", " ", "ab", "pe", "zzz", "brasil"]


def expected(records: list[dict], query: str) -> list[str]:
    """Strapi's `_q`, worked out here: the ids of records where some searched field, or the
    id's text, contains the query, both lowered."""
    wanted = query.lower()
    return [r["id"] for r in records
            if wanted in r["id"] or any(wanted in (r[name] or "").lower() for name in SEARCHED)]


def found(api, query: str) -> list[str]:
    """The ids `_q` lists (checking that the total and the count agree with it)."""
    response = api.send("GET", f"/customers?_q={quote(query)}&_limit=-1")
    assert response.status_code == 200, response.get_data(as_text=True)
    ids = [record["id"] for record in response.get_json()]
    count = api.send("GET", f"/customers/count?_q={quote(query)}").get_json()
    assert int(response.headers["X-Total-Count"]) == count == len(ids), query
    return ids


def test_q_is_a_case_insensitive_substring_whatever_its_length_or_characters(api):
    records = [api.create(**{k: v for k, v in r.items() if k in SEARCHED}) for r in RECORDS]
    for query in QUERIES:
        assert found(api, query) == expected(records, query), query
    # Strapi's meaning: case ignored, accents not (the page's search ignores both)
    assert found(api, "sao") == [records[3]["id"]] and found(api, "ΟΣ") == [records[2]["id"]]


def index_texts(app) -> dict[int, str]:
    """The index's `exact` text of each record it holds."""
    key = "rowid" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "customer_id"
    with app.app_context():
        return dict(db.session.execute(text(f"SELECT {key}, exact FROM customer_search")).all())


def test_every_write_keeps_the_index_exact(api, app):
    first = api.create(addressCity="Olinda", referenceId="R-1")
    second = api.create(addressCity="Recife")
    assert found(api, "olinda") == [first["id"]]
    assert api.send("PUT", f"/customers/{first['id']}", {"addressCity": "Caruaru"}).status_code == 200
    assert found(api, "olinda") == [] and found(api, "caruaru") == [first["id"]]
    assert api.send("PATCH", f"/customers/{first['id']}", {"addressCity": None}).status_code == 200
    assert found(api, "caruaru") == [] and found(api, "r-1") == [first["id"]]
    reverted = api.send("POST", f"/customers/{first['id']}/revert", {"version": 2})
    assert reverted.status_code == 200 and found(api, "caruaru") == [first["id"]]
    csv = f"id,addressCity\n{second['id']},Gravatá\n,Garanhuns\n"
    assert import_csv(api, csv).status_code == 200
    assert found(api, "gravatá") == [second["id"]] and found(api, "recife") == []
    assert len(found(api, "garanhuns")) == 1
    assert api.send("DELETE", f"/customers/{second['id']}").status_code == 200
    assert found(api, "gravat") == []  # a record in the trash is found by no search
    assert api.send("POST", f"/customers/{second['id']}/restore").status_code == 200
    assert found(api, "gravat") == [second["id"]]
    runner = app.test_cli_runner()
    erased = runner.invoke(args=["customers", "erase", second["id"], "--by", "dpo"])
    assert erased.exit_code == 0, erased.output
    assert int(second["id"]) not in index_texts(app)  # erased: no value of it is left
    assert api.send("DELETE", f"/customers/{first['id']}").status_code == 200
    app.config["TRASH_RETENTION_DAYS"] = 0
    assert runner.invoke(args=["trash", "purge"]).exit_code == 0
    assert int(first["id"]) not in index_texts(app) and len(index_texts(app)) == 1
    with app.app_context():
        db.session.execute(text("DELETE FROM customers"))  # removed around the service too
        db.session.commit()
    assert index_texts(app) == {}


def test_upgrading_from_0007_indexes_the_records_there(empty_database):
    with app_on(empty_database) as app:
        with app.app_context():
            upgrade_with(
                "0007",
                "INSERT INTO customers (reference_id, address_city, gender, published_at, updated_at,"
                " version) VALUES ('R-1', 'São Paulo', 'female', '2026-01-02', '2026-01-02', 1),"
                " ('R-2', NULL, NULL, '2026-01-02', '2026-01-02', 1)")
            token = issue_token("writer", "write")[1]
            assert db.session.execute(text("SELECT count(*) FROM customer_search")).scalar() == 2
        api = Api(app.test_client(), token)
        assert found(api, "SÃO") == ["1"] and found(api, "r-") == ["1", "2"]
        assert found(api, "2") == ["2"] and found(api, "female") == ["1"]
        created = api.create(addressCity="Recife")
        assert found(api, "recife") == [created["id"]]


def test_rebuild_indexes_records_written_around_the_service(api, app):
    api.create(addressCity="Olinda")
    with app.app_context():
        db.session.execute(text(
            "INSERT INTO customers (address_city, published_at, updated_at, version) VALUES "
            "('Caruaru', '2026-01-02', '2026-01-02', 1)"))
        db.session.commit()
    assert found(api, "caruaru") == []  # written around the service: not indexed
    before = index_definitions(app)
    result = app.test_cli_runner().invoke(args=["search", "rebuild"])
    assert result.exit_code == 0 and result.output == "2 customers indexed\n", result.output
    assert found(api, "caruaru") == ["2"] and found(api, "olinda") == ["1"]
    # Made again from its own definitions, and still kept by the triggers and the service.
    assert index_definitions(app) == before and len(before) >= 1
    assert found(api, "CARUARU") == ["2"] and found(api, "carua") == ["2"]
    api.send("PUT", "/customers/2", {"addressCity": "Garanhuns"})
    assert found(api, "caruaru") == [] and found(api, "garanhuns") == ["2"]
    with app.app_context():
        db.session.execute(text("DELETE FROM customers WHERE id = 1"))
        db.session.commit()
    assert sorted(index_texts(app)) == [2]


def index_definitions(app) -> list[str]:
    """The search index's SQL: SQLite's FTS5 table and its trigger, PostgreSQL's indexes."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sql = ("SELECT sql FROM sqlite_master WHERE name LIKE 'customer_search%' OR "
                   "name = 'customers_search_delete' ORDER BY name")
        else:
            sql = "SELECT indexdef FROM pg_indexes WHERE tablename = 'customer_search' ORDER BY 1"
        return [row[0] for row in db.session.execute(text(sql)) if row[0]]


def test_a_record_s_texts_are_made_of_its_id_and_the_indexed_fields_only():
    base = dict.fromkeys(WRITABLE, "Valor") | {"id": 7, "dateOfBirth": date(1984, 3, 17),
                                               "gender": "female", "maritalStatus": "married"}
    other = {"dateOfBirth": date(1990, 1, 1), "gender": "male", "maritalStatus": "single"}

    def texts(**changed):
        record = SimpleNamespace(**(base | changed))
        return exact_text(record), folded_text(record)

    for name in WRITABLE:  # the service skips the index write when no indexed field changed
        assert (texts(**{name: other.get(name, "Outro")}) != texts()) == (
            name in search_index.INDEXED_FIELDS), name


def test_a_change_of_no_indexed_field_leaves_the_index_row_unwritten(api, app):
    record = api.create(addressCity="Olinda", dateOfBirth="1984-03-17")
    statements = []
    with app.app_context():
        listen = partial(event.listen, db.engine, "before_cursor_execute")
        listen(lambda _c, _cu, sql, *_rest: statements.append(sql))
    assert api.send("PUT", f"/customers/{record['id']}", {"dateOfBirth": "1990-01-01"}).status_code == 200
    assert statements and not [sql for sql in statements if "customer_search" in sql]
    assert found(api, "olinda") == [record["id"]]
    assert api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Recife"}).status_code == 200
    assert [sql for sql in statements if "customer_search" in sql]
    assert found(api, "olinda") == [] and found(api, "recife") == [record["id"]]
