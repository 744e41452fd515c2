"""X-Total-Count and /customers/count stay exact: the maintained total never drifts."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from customers.extensions import db
from tests.conftest import make_app, scratch_postgres_database


def counted(app) -> int:
    """COUNT(*) of the live records, the slow and obviously right way."""
    with app.app_context():
        return db.session.execute(text("SELECT count(*) FROM customers WHERE deleted_at IS NULL")).scalar_one()


def totals(api) -> tuple[int, int]:
    """What the API says: X-Total-Count of the first page, and /customers/count."""
    listed = api.send("GET", "/customers?_limit=1")
    assert listed.status_code == 200
    return int(listed.headers["X-Total-Count"]), api.send("GET", "/customers/count").get_json()


def sql(app, statement: str, params=None) -> None:
    with app.app_context():
        db.session.execute(text(statement), params or {})
        db.session.commit()


def test_creates_and_deletes_through_the_api(app, api):
    assert totals(api) == (0, 0)
    ids = [api.create(addressCity=f"City {n}")["id"] for n in range(5)]
    assert totals(api) == (5, 5)
    for customer_id in ids[:2]:
        assert api.send("DELETE", f"/customers/{customer_id}").status_code == 200
    assert api.send("DELETE", f"/customers/{ids[0]}").status_code == 404  # gone already
    assert totals(api) == (3, 3) and counted(app) == 3


def test_rows_written_outside_the_service_are_counted(app, api):
    """Triggers count what a bulk load or an operator's SQL does, too."""
    rows = [{"ref": f"bulk-{n}"} for n in range(50)]
    with app.app_context():
        db.session.execute(text(
            "INSERT INTO customers (reference_id, published_at, updated_at, version) "
            "VALUES (:ref, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"), rows)
        db.session.commit()
    sql(app, "INSERT INTO customers (reference_id, published_at, updated_at, version) "
             "SELECT reference_id || '-copy', published_at, updated_at, 1 FROM customers")
    assert totals(api) == (100, 100)
    sql(app, "DELETE FROM customers WHERE reference_id LIKE '%-copy'")
    assert totals(api) == (50, 50) and counted(app) == 50


def test_emptying_the_table_resets_the_total(app, api, database_url):
    """TRUNCATE on PostgreSQL (no row triggers fire); an unfiltered DELETE on SQLite
    (whose truncate shortcut would skip them, were there no triggers)."""
    for _ in range(3):
        api.create(addressCity="Recife")
    sql(app, "TRUNCATE customers" if database_url.startswith("postgresql") else "DELETE FROM customers")
    assert totals(api) == (0, 0)


def test_a_rolled_back_insert_is_not_counted(app, api):
    with app.app_context():
        db.session.execute(text("INSERT INTO customers (published_at, updated_at, version) "
                                "VALUES (CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"))
        db.session.rollback()
    assert totals(api) == (0, 0)


def test_filtered_totals_count_the_matches(api):
    for reference in ("A", "A", "B"):
        api.create(referenceId=reference)
    response = api.send("GET", "/customers?referenceId=A")
    assert response.headers["X-Total-Count"] == "2"
    assert api.send("GET", "/customers/count?referenceId=B").get_json() == 1


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path):
    """A database with no tables at all, of the same kind, dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with scratch_postgres_database("customers_migration") as url:
        yield url


def test_the_migration_counts_existing_rows_and_goes_back_down(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="0001")
        db.session.execute(text("INSERT INTO customers (published_at, updated_at, version) "
                                "VALUES (CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"), [{}] * 7)
        db.session.commit()
        upgrade()
        assert db.session.execute(text("SELECT value FROM counters")).scalar_one() == 7
        db.session.commit()
        downgrade(revision="0001")
        db.session.execute(text("DELETE FROM customers"))  # no trigger left to fail
        db.session.commit()
        upgrade()
        assert db.session.execute(text("SELECT value FROM counters")).scalar_one() == 0
        db.session.commit()
        db.engine.dispose()
