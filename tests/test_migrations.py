"""Migrations: from empty and from every revision, up and back down; models and migrations agree."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from customers.extensions import db, migrate
from tests.conftest import app_on, scratch_postgres_database
from tests.servers import flask_command, server_environment

SCRIPTS = ScriptDirectory(migrate.directory)
# Oldest first: (revision, the revision before it or "base").
REVISIONS = [(s.revision, s.down_revision or "base") for s in SCRIPTS.walk_revisions()][::-1]
HEAD = SCRIPTS.get_current_head()


def upgrade_with(revision: str, *rows: str) -> None:
    """In an app context: migrate to `revision`, write `rows` (SQL statements, as that
    revision's schema holds them) in one transaction, then migrate to the newest."""
    upgrade(revision=revision)
    with db.engine.begin() as connection:
        for statement in rows:
            connection.execute(text(statement))
    upgrade()


@pytest.fixture(scope="module")
def postgres_database() -> Iterator[str]:
    """One database on the PostgreSQL server for the module: CREATE and DROP are slow."""
    with scratch_postgres_database("customers_migrations") as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables at all, of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    url = request.getfixturevalue("postgres_database")
    with psycopg.connect(url.replace("+psycopg", "", 1), autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")
    return url


@pytest.fixture
def empty_app(empty_database: str) -> Iterator[Flask]:
    with app_on(empty_database) as app:
        yield app


def current_revision() -> str | None:
    """The revision the app's database is at (None: not under migration yet)."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def tables() -> set[str]:
    """Every table in the app's database."""
    return set(inspect(db.engine).get_table_names())


def schema_drift() -> list:
    """What autogenerate would write to bring the database to the models; [] when they agree."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_name": migrate.alembic_ctx_kwargs["include_name"]})
        return compare_metadata(context, db.metadata)


def test_there_is_one_head_and_history_starts_at_base():
    assert len(SCRIPTS.get_heads()) == 1
    assert REVISIONS and REVISIONS[0][1] == "base" and REVISIONS[-1][0] == HEAD


def test_flask_db_upgrade_builds_the_schema_from_empty(empty_database):
    flask_command(server_environment(empty_database), "db", "upgrade")
    with app_on(empty_database) as app, app.app_context():
        assert current_revision() == HEAD
        assert {"customers", "tokens", "users"} <= tables()


def test_every_revision_upgrades_to_head_and_steps_back_down(empty_app):
    with empty_app.app_context():
        for revision, _ in REVISIONS:
            upgrade(revision=revision)
            assert current_revision() == revision
            upgrade()  # from this revision straight to the newest
            assert current_revision() == HEAD
            downgrade(revision=revision)
            assert current_revision() == revision
        for revision, previous in reversed(REVISIONS):
            downgrade(revision=previous)
            assert current_revision() == (None if previous == "base" else previous)
        assert tables() <= {"alembic_version"}


def test_the_models_and_the_migrations_agree(empty_app):
    with empty_app.app_context():
        upgrade()
        assert schema_drift() == []


def test_drift_between_models_and_database_is_noticed(empty_app):
    with empty_app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(text("DROP INDEX ix_customers_uuid"))
        assert schema_drift() != []


def test_upgrading_people_from_0006_keeps_them_as_admins_with_ids_never_reused(empty_app):
    """0007 adds roles and session generations: the people there were keep what they could do
    (admin), and on SQLite too an id is never given again once its person is removed."""
    with empty_app.app_context():
        upgrade_with("0006",
                     "INSERT INTO users (name, password_hash, created_at) VALUES "
                     "('ana', 'hash-a', '2026-01-01 00:00:00'), ('bia', 'hash-b', '2026-01-02 00:00:00')",
                     "INSERT INTO customers (published_at, updated_at, version, created_by)"
                     " VALUES ('2026-01-01', '2026-01-01', 1, 'ana')")
        with db.engine.begin() as connection:
            people = connection.execute(text(
                "SELECT id, name, password_hash, role, session_generation, disabled_at FROM users ORDER BY id")).all()
            assert [tuple(p) for p in people] == [(1, "ana", "hash-a", "admin", 0, None),
                                                  (2, "bia", "hash-b", "admin", 0, None)]
            assert connection.execute(text("SELECT created_by FROM customers")).scalar() == "ana"
        from customers.accounts import create_user

        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM users WHERE id = 2"))
        newcomer = create_user("cid", "a long enough passphrase")
        assert newcomer.id == 3 and newcomer.role == "viewer"
