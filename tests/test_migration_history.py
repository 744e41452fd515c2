"""Migration 0006 from the previous head (0005) with data in it: each record gets its first
history entry, writes after it journal on top of that entry, the counter counts live records
only, and going back down purges the trash."""
from __future__ import annotations

import json
from types import SimpleNamespace

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from customers.tokens import issue_token
from customers.extensions import db
from tests.client import Api
from tests.conftest import app_on
from tests.test_migrations import empty_database, postgres_database  # noqa: F401  (fixtures)

ROWS = [
    {"ref": "R-1", "city": "Recife", "birth": "1980-05-01", "gender": "female", "version": 3,
     "by": "ana"},
    {"ref": None, "city": None, "birth": None, "gender": None, "version": 1, "by": None},
]


def seed(rows) -> None:
    db.session.execute(text(
        "INSERT INTO customers (reference_id, address_city, date_of_birth, gender, published_at, "
        "updated_at, created_by, updated_by, version) VALUES (:ref, :city, :birth, :gender, "
        "'2026-01-02 03:04:05', '2026-02-03 04:05:06', 'importer', :by, :version)"), rows)
    db.session.commit()


def entry(customer_id: int, version: int):
    """One history row, with `changes` decoded (SQLite hands JSON back as text)."""
    row = db.session.execute(text(
        "SELECT * FROM customer_history WHERE customer_id = :c AND version = :v"),
        {"c": customer_id, "v": version}).one()
    changes = json.loads(row.changes) if isinstance(row.changes, str) else row.changes
    return SimpleNamespace(**{**row._asdict(), "changes": changes})


def count(sql: str) -> int:
    return db.session.execute(text(sql)).scalar_one()


def test_upgrading_with_records_gives_each_its_first_entry(empty_database):
    with app_on(empty_database) as app:
        with app.app_context():
            upgrade(revision="0005")
            seed(ROWS)
            upgrade()
            token = issue_token("writer", "write")[1]
            assert count("SELECT value FROM counters WHERE name = 'customers'") == 2
        api = Api(app.test_client(), token)
        with app.app_context():
            first = entry(1, 3)
            assert (first.action, first.changed_by, first.via, first.request_id) == (
                "create", "ana", "cli", "-")
            assert str(first.changed_at) == "2026-02-03 04:05:06"
            assert first.changes == {"referenceId": {"from": None, "to": "R-1"},
                                     "dateOfBirth": {"from": None, "to": "1980-05-01"},
                                     "addressCity": {"from": None, "to": "Recife"},
                                     "gender": {"from": None, "to": "female"}}
            empty = entry(2, 1)
            assert (empty.changed_by, empty.changes) == ("importer", {})
        assert api.send("PUT", "/customers/1", {"addressCity": "Olinda"}).headers["ETag"] == '"c1v4"'
        with app.app_context():
            assert entry(1, 4).changes == {"addressCity": {"from": "Recife", "to": "Olinda"}}
            # A record in the trash (as a later step will put it there) is not counted.
            db.session.execute(text("UPDATE customers SET deleted_at = updated_at WHERE id = 2"))
            db.session.commit()
            assert count("SELECT value FROM counters WHERE name = 'customers'") == 1
        with app.app_context():
            downgrade(revision="0005")
            assert count("SELECT count(*) FROM customers") == 1  # the trash was purged
            assert count("SELECT value FROM counters WHERE name = 'customers'") == 1
            seed(ROWS[1:])
            assert count("SELECT value FROM counters WHERE name = 'customers'") == 2
            upgrade()
            assert count("SELECT count(*) FROM customer_history") == 2
            assert count("SELECT value FROM counters WHERE name = 'customers'") == 2
