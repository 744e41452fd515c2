"""Through PgBouncer in transaction mode, with its defaults: migrations, the statement timeout,
no server-side prepared statements, a connection lost at the end of a request, and the pooler's
refusals logged with their cause."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from flask import Flask
from sqlalchemy import event, text

from customers.extensions import db
from customers.transactions import NO_STATEMENT_TIMEOUT

from tests.conftest import app_on, new_token
from tests.pgbouncer import Pooled, pooled_database
from tests.servers import flask_command, server_environment

pytestmark = pytest.mark.postgres

DB_TIMEOUT_SECONDS = 2


@pytest.fixture(scope="module")
def pooled() -> Iterator[Pooled]:
    with pooled_database() as pooled:
        yield pooled


@pytest.fixture
def app(pooled: Pooled) -> Iterator[Flask]:
    """The service's app on PgBouncer."""
    with app_on(pooled.bouncer.url, DB_TIMEOUT_SECONDS=DB_TIMEOUT_SECONDS) as app:
        yield app


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def create(app: Flask, token: str) -> str:
    """A new record's id."""
    response = app.test_client().post("/customers", json={"addressCity": "Olinda"},
                                      headers=headers(token))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def test_migrations_run_through_pgbouncer_and_again(pooled: Pooled):
    # The fixture migrated through PgBouncer already; a second upgrade finds nothing to do.
    flask_command(server_environment(pooled.bouncer.url), "db", "upgrade")
    with psycopg.connect(pooled.direct_url) as connection:
        version = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        tables = connection.execute("SELECT count(*) FROM pg_tables WHERE tablename = "
                                    "'customers'").fetchone()
    assert len(version) == 1 and tables == (1,)
    assert "unsupported startup parameter" not in pooled.bouncer.log()


def test_every_transaction_has_the_statement_timeout(app: Flask):
    with app.app_context():
        for _ in range(5):  # new transactions, on whichever server connection PgBouncer lends
            assert db.session.execute(text("SHOW statement_timeout")).scalar() == "2s"
            db.session.commit()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "2s"
        with db.engine.connect() as connection:  # as migrations/env.py opens its connection
            connection.execution_options(**{NO_STATEMENT_TIMEOUT: True})
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "0"


def test_a_locked_row_answers_503_within_the_timeout(app: Flask, pooled: Pooled, caplog):
    token = new_token(app, "locker", "write")
    customer_id = create(app, token)
    with psycopg.connect(pooled.direct_url) as other:  # another client holds the row
        other.execute("SELECT 1 FROM customers WHERE id = %s FOR UPDATE", (int(customer_id),))
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="customers.errors"):
            response = app.test_client().put(f"/customers/{customer_id}", json={"gender": "male"},
                                             headers=headers(token))
        waited = time.monotonic() - started
    print(f"\n[locked row through PgBouncer] {response.status_code} after {waited:.2f}s "
          f"(DB_TIMEOUT_SECONDS={DB_TIMEOUT_SECONDS})")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json() == {"code": 503, "message": "The database did not answer in time; "
                                                           "try again shortly."}
    assert DB_TIMEOUT_SECONDS - 0.1 < waited < DB_TIMEOUT_SECONDS + 1.5
    assert "canceling statement due to statement timeout" in caplog.text
    # The lock is gone with the other client: the same write goes through, written once.
    again = app.test_client().put(f"/customers/{customer_id}", json={"gender": "male"},
                                  headers=headers(token))
    assert again.status_code == 200 and again.get_json()["gender"] == "male"
    assert again.headers["ETag"] == f'"c{customer_id}v2"'


def test_no_statement_is_prepared_on_the_server_unless_configured(pooled: Pooled):
    direct = pooled.direct_url.replace("postgresql://", "postgresql+psycopg://")
    for setting, expected in ((None, 0), (5, 1)):  # 5: psycopg's own default
        config = {} if setting is None else {"DB_PREPARE_THRESHOLD": setting}
        with app_on(direct, **config) as app, app.app_context():
            with db.engine.connect() as connection:
                for _ in range(10):
                    connection.execute(text("SELECT count(*) FROM customers WHERE id = :id"),
                                       {"id": 1})
                prepared = connection.exec_driver_sql(
                    "SELECT count(*) FROM pg_prepared_statements WHERE "
                    "strpos(statement, 'FROM customers WHERE id') > 0").scalar()
        assert prepared == expected, setting


def kill_every_server_connection(pooled: Pooled) -> None:
    """End every session of the database but our own, as a PostgreSQL restart would."""
    with psycopg.connect(pooled.direct_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                      "datname = 'customers' AND pid <> pg_backend_pid()")


@pytest.mark.parametrize("through", ["pgbouncer", "postgresql"])
def test_a_connection_lost_after_the_last_read_answers_503_and_the_pool_recovers(
        pooled: Pooled, through: str):
    url = pooled.bouncer.url if through == "pgbouncer" else pooled.direct_url.replace(
        "postgresql://", "postgresql+psycopg://")
    with app_on(url, DB_TIMEOUT_SECONDS=DB_TIMEOUT_SECONDS) as app:
        token = new_token(app, "reader", "read")
        customer_id = create(app, new_token(app, "writer", "write"))
        with app.app_context():
            engine = db.engine
        lost = threading.Event()

        def lose_the_connection(_conn, _cursor, statement: str, *_args) -> None:
            # The record is read (the answer is ready); then the server goes, before ROLLBACK.
            if "FROM customers" in statement and not lost.is_set():
                lost.set()
                kill_every_server_connection(pooled)

        event.listen(engine, "after_cursor_execute", lose_the_connection)
        try:
            response = app.test_client().get(f"/customers/{customer_id}", headers=headers(token))
        finally:
            event.remove(engine, "after_cursor_execute", lose_the_connection)
        assert lost.is_set()
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.get_json()["code"] == 503 and response.headers["Retry-After"] == "5"
        assert response.headers["X-Request-ID"]
        again = app.test_client().get(f"/customers/{customer_id}", headers=headers(token))
        assert again.status_code == 200 and again.get_json()["id"] == customer_id


@pytest.mark.parametrize("path, cause", [
    ("/nosuchdatabase", "no such database: nosuchdatabase"),
    ("/customers?options=-c%20work_mem%3D64MB", "unsupported startup parameter: options"),
])
def test_the_poolers_refusal_is_503_and_logged_with_its_cause(pooled: Pooled, caplog, path: str,
                                                               cause: str):
    url = pooled.bouncer.url.rsplit("/", 1)[0] + path
    with app_on(url, DB_TIMEOUT_SECONDS=DB_TIMEOUT_SECONDS) as app:
        with caplog.at_level(logging.WARNING, logger="customers.errors"):
            response = app.test_client().get("/customers", headers=headers("cst_any"))
    assert response.status_code == 503
    assert response.get_json() == {"code": 503, "message": "The database is unavailable; "
                                                           "try again shortly."}
    [record] = [r for r in caplog.records if r.name == "customers.errors"]
    assert record.getMessage().startswith("database unavailable: OperationalError: ")
    assert cause in record.getMessage() and "\n" not in record.getMessage()
