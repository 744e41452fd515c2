"""Configuration from the environment, with safe fallbacks."""
from __future__ import annotations

import pytest

from app import create_app


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FILE", "PROXY_HOPS", "MAX_CONTENT_LENGTH",
                 "CUSTOMERS_MAX_LIMIT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_secret_key_one_is_made_once_into_the_instance_folder(clean_env, tmp_path):
    path = tmp_path / "instance" / "secret_key"
    clean_env.setenv("SECRET_KEY_FILE", str(path))
    first, second = create_app(), create_app()  # a start, and a restart
    assert first.secret_key == second.secret_key == path.read_text().strip()
    assert len(first.secret_key) == 64 and path.stat().st_mode & 0o777 == 0o600


def test_the_environments_secret_key_wins_over_the_file(clean_env, tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("from the file\n")
    clean_env.setenv("SECRET_KEY_FILE", str(path))
    assert create_app().secret_key == "from the file"
    clean_env.setenv("SECRET_KEY", "from the environment")
    assert create_app().secret_key == "from the environment"


def test_workers_starting_at_once_share_one_key(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    from customers.secret_key import stored_secret_key

    path = tmp_path / "secret_key"
    with ProcessPoolExecutor(8) as pool:
        keys = set(pool.map(stored_secret_key, [path] * 32))
    assert keys == {path.read_text().strip()} and not list(tmp_path.glob(".secret_key*"))


def test_no_secret_key_and_nowhere_to_keep_one_is_refused(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY_FILE", "/proc/no-such-place/secret_key")
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app()


@pytest.mark.parametrize("setting, message", [
    ({"SECRET_KEY_FILE": "/proc/no-such-place/secret_key"}, "Error: SECRET_KEY is not set and "),
    ({"PROXY_HOPS": "one", "SECRET_KEY": "s"}, "Error: PROXY_HOPS must be int, got 'one'"),
])
def test_a_setting_the_cli_cannot_start_with_is_one_line(tmp_path, setting, message):
    import subprocess

    from tests.servers import BIN, ROOT, server_environment

    env = {k: v for k, v in server_environment(f"sqlite:///{tmp_path}/x.db").items()
           if k != "SECRET_KEY"}
    result = subprocess.run([str(BIN / "flask"), "--app", "app", "users", "list"], cwd=ROOT,
                            env={**env, **setting}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr


def test_environment_settings(clean_env):
    clean_env.setenv("SECRET_KEY", "s")
    clean_env.setenv("DATABASE_URL", "postgres://u@db:5432/x")
    clean_env.setenv("PROXY_HOPS", "1")
    clean_env.setenv("MAX_CONTENT_LENGTH", "2048")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/x"
    assert app.config["PROXY_HOPS"] == 1 and app.config["MAX_CONTENT_LENGTH"] == 2048
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


@pytest.mark.parametrize("setting, threshold", [(None, None), ("5", 5), ("0", 0)])
def test_postgres_sessions_carry_no_settings_and_prepare_only_when_told(clean_env, setting,
                                                                        threshold):
    # A pooler in transaction mode refuses `options` (PgBouncer) and mixes up prepared
    # statements of different clients: neither is sent unless DB_PREPARE_THRESHOLD says so.
    clean_env.setenv("SECRET_KEY", "s")
    clean_env.setenv("DATABASE_URL", "postgresql://u@db:5432/x")
    if setting is None:
        clean_env.delenv("DB_PREPARE_THRESHOLD", raising=False)
    else:
        clean_env.setenv("DB_PREPARE_THRESHOLD", setting)
    connect_args = create_app().config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
    assert connect_args == {"connect_timeout": 5, "autocommit": True,
                            "prepare_threshold": threshold}


def test_default_database_is_sqlite_in_the_instance_folder(clean_env):
    clean_env.setenv("SECRET_KEY", "s")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/customers.sqlite3"
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024 and app.config["PROXY_HOPS"] == 0


def test_a_setting_of_the_wrong_type_is_refused(clean_env):
    clean_env.setenv("SECRET_KEY", "s")
    clean_env.setenv("PROXY_HOPS", "one")
    with pytest.raises(RuntimeError, match="PROXY_HOPS"):
        create_app()


def test_proxy_headers_are_ignored_without_proxy_hops(clean_env, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    app.add_url_rule("/where", view_func=lambda: {"url": __import__("flask").request.url})
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    assert app.test_client().get("/where", headers=headers).get_json()["url"] == "http://localhost/where"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_short_checkpoints(sqlite_template, tmp_path):
    import shutil

    from sqlalchemy import text

    from customers.extensions import db
    from tests.conftest import app_on

    shutil.copy(sqlite_template, tmp_path / "wal.sqlite3")
    with app_on(f"sqlite:///{tmp_path}/wal.sqlite3") as app, app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 15000
        assert db.session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000


def test_the_app_still_runs_coroutine_views_through_async_to_sync(clean_env, monkeypatch):
    """ensure_sync answers from a cache: plain functions as they are, coroutine functions
    wrapped, every time they are asked; an unhashable callable still gets an answer."""
    clean_env.setenv("SECRET_KEY", "s")
    app = create_app()
    wrapped = []
    monkeypatch.setattr(app, "async_to_sync", lambda func: wrapped.append(func) or "wrapped")

    async def coroutine_view():
        return "never run"

    def plain_view():
        return "ok"

    class Unhashable:
        __hash__ = None

        def __call__(self):
            return "ok"

    unhashable = Unhashable()
    for _ in range(2):
        assert app.ensure_sync(plain_view) is plain_view
        assert app.ensure_sync(coroutine_view) == "wrapped"
        assert app.ensure_sync(unhashable) is unhashable
    assert wrapped == [coroutine_view, coroutine_view]


def test_an_app_that_is_dropped_is_freed(clean_env, tmp_path):
    """Nothing module-level (the coroutine answers, caches) keeps a served app alive."""
    import gc
    import weakref

    clean_env.setenv("SECRET_KEY", "s")
    clean_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/freed.sqlite3")
    app = create_app()
    assert app.test_client().get("/healthz").status_code == 200
    dropped = weakref.ref(app)
    del app
    gc.collect()
    assert dropped() is None
