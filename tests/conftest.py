"""Fixtures: a fresh app per test on SQLite and on PostgreSQL, tokens, clients."""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from customers.tokens import issue_token
from customers.extensions import db

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# In CI: REQUIRE_SERVICES=postgres,browser,proxy turns a missing service into a failure.
REQUIRED = {name.strip() for name in os.environ.get("REQUIRE_SERVICES", "").split(",") if name.strip()}


def unavailable(service: str, reason: str) -> None:
    """Skip on a developer machine; fail where the service is required."""
    if service in REQUIRED:
        pytest.fail(f"{service} is required (REQUIRE_SERVICES) but unavailable: {reason}")
    pytest.skip(f"{service} unavailable: {reason}")


def make_app(database_url: str, **config: object) -> Flask:
    """A test app from the factory."""
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                       "SQLALCHEMY_DATABASE_URI": database_url, **config})


@contextmanager
def app_on(database_url: str, **config: object) -> Iterator[Flask]:
    """A test app whose database connections are closed when it is done."""
    app = make_app(database_url, **config)
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def migrate(database_url: str) -> None:
    """Bring a database to the newest migration."""
    with app_on(database_url) as app, app.app_context():
        upgrade()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("template") / "customers.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


@contextmanager
def scratch_postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server (its URL), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        unavailable("postgres", str(error).strip())
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        base = POSTGRES_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        try:
            yield f"{base}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh, migrated database on the PostgreSQL server, dropped afterwards."""
    with scratch_postgres_database("customers_test") as url:
        migrate(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "customers.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_server_url")
    with psycopg.connect(url.replace("+psycopg", "")) as connection:
        connection.execute("TRUNCATE customers, customer_history, tokens, users, login_failures, "
                           "webhooks, webhook_messages, idempotency_keys RESTART IDENTITY")
    return url


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """A fresh app per test."""
    with app_on(database_url) as app:
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def new_token(app: Flask, owner: str, scope: str) -> str:
    """The secret of a new token."""
    with app.app_context():
        return issue_token(owner, scope)[1]


@pytest.fixture
def write_token(app: Flask) -> str:
    return new_token(app, "writer", "write")


@pytest.fixture
def read_token(app: Flask) -> str:
    return new_token(app, "reader", "read")


@pytest.fixture
def api(client: FlaskClient, write_token: str) -> "Api":
    from tests.client import Api

    return Api(client, write_token)


@pytest.fixture
def snapshot(app: Flask):
    """A function returning every stored customer row and history entry, to prove nothing
    changed."""
    def rows() -> list[tuple]:
        with app.app_context():
            customers = db.session.execute(text("SELECT * FROM customers ORDER BY id"))
            entries = db.session.execute(text(
                "SELECT * FROM customer_history ORDER BY customer_id, version"))
            return [tuple(r) for r in customers] + [("entry", *r) for r in entries]
    return rows


@pytest.fixture
def live_server(app: Flask, database_url: str, tmp_path: Path) -> Iterator["LiveServer"]:
    """A real `gunicorn wsgi:app` (2 workers) on the test's database, with tokens."""
    from tests.servers import gunicorn, server_environment

    env = server_environment(database_url)
    write, read = new_token(app, "live-writer", "write"), new_token(app, "live-reader", "read")
    with gunicorn(env, log=tmp_path / "gunicorn.log") as url:
        yield LiveServer(url, write, read, env)


class LiveServer:
    """Where a live server listens, and tokens for it."""

    def __init__(self, url: str, write_token: str, read_token: str, env: dict[str, str]):
        self.url, self.write_token, self.read_token, self.env = url, write_token, read_token, env
