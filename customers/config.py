"""Configuration in layers: defaults, instance file, environment, test mapping."""
from __future__ import annotations

import os
from pathlib import Path
from collections.abc import Callable
from typing import Any, Mapping

from flask import Flask

from customers.secret_key import ConfigurationError, stored_secret_key
from customers.webhooks.settings import DEFAULTS as WEBHOOK_DEFAULTS

DEFAULTS: dict[str, Any] = {
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "IMPORT_MAX_BYTES": 20 * 1024 * 1024,  # the CSV import's own body limit
    "PROXY_HOPS": 0,
    "CUSTOMERS_DEFAULT_LIMIT": 100,
    "CUSTOMERS_MAX_LIMIT": 1000,
    "DB_TIMEOUT_SECONDS": 5,
    # None: psycopg never prepares statements on the server (see engine_options).
    "DB_PREPARE_THRESHOLD": None,
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    # The HTML list's page size, and sign-in throttling: failures per name (and per device
    # cookie), per address (for browsers without the name's device cookie), in the window.
    "CUSTOMERS_PAGE_SIZE": 25,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    "LOGIN_FAILURE_WINDOW_SECONDS": 15 * 60,
    "LOGIN_DEVICE_COOKIE_DAYS": 180,
    # The zone in which the pages show times (stored in UTC).
    "TIMEZONE": "America/Sao_Paulo",
    # `flask trash purge` removes records deleted longer ago than this, for good.
    "TRASH_RETENTION_DAYS": 30,
    **WEBHOOK_DEFAULTS,
}

def comma_separated(value: str) -> list[str]:
    """`a, b,c` as a list of its non-empty items."""
    return [item.strip() for item in value.split(",") if item.strip()]


# Environment variable -> (config key, type or converter).
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "SECRET_KEY_FILE": ("SECRET_KEY_FILE", str),
    "PROXY_HOPS": ("PROXY_HOPS", int),
    "MAX_CONTENT_LENGTH": ("MAX_CONTENT_LENGTH", int),
    "IMPORT_MAX_BYTES": ("IMPORT_MAX_BYTES", int),
    "CUSTOMERS_MAX_LIMIT": ("CUSTOMERS_MAX_LIMIT", int),
    "DB_TIMEOUT_SECONDS": ("DB_TIMEOUT_SECONDS", int),
    "TRUSTED_HOSTS": ("TRUSTED_HOSTS", comma_separated),
    "TIMEZONE": ("TIMEZONE", str),
    "TRASH_RETENTION_DAYS": ("TRASH_RETENTION_DAYS", float),
    **{name: (name, float) for name in WEBHOOK_DEFAULTS},
    "DB_PREPARE_THRESHOLD": ("DB_PREPARE_THRESHOLD", int),
}


def configure(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Fill app.config from every layer, then derive the database settings."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_environment(os.environ))
    if test_config is not None:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{app.instance_path}/customers.sqlite3"
    url = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(url, app.config))
    require_secret_key(app)


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings the environment gives, converted to their types."""
    settings = {}
    for name, (key, kind) in ENVIRONMENT.items():
        if environ.get(name):
            try:
                settings[key] = kind(environ[name])
            except ValueError:
                raise ConfigurationError(f"{name} must be {kind.__name__}, got {environ[name]!r}") from None
    return settings


def normalise_database_url(url: str) -> str:
    """Send every PostgreSQL URL to psycopg 3, the driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def engine_options(url: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """Pool and timeout settings so no request waits on the database for long."""
    timeout = config["DB_TIMEOUT_SECONDS"]
    if url.startswith("sqlite"):
        # The busy timeout lets several gunicorn workers take turns writing.
        return {"connect_args": {"timeout": 15 + timeout}}
    # Nothing is set for the whole session (no startup `options`, no SET): a pooler in
    # transaction mode, PgBouncer's default refusals included, hands the server connection to
    # other clients between transactions. The statement timeout goes with each BEGIN instead
    # (customers/transactions.py), which is why the driver itself never sends one (autocommit).
    return {
        "pool_pre_ping": True,
        "pool_size": 5,
        "max_overflow": 5,
        "pool_timeout": timeout,
        "pool_recycle": 1800,
        "connect_args": {
            "connect_timeout": timeout,
            "autocommit": True,
            # A statement prepared on a pooled server connection meets other clients' there.
            "prepare_threshold": config["DB_PREPARE_THRESHOLD"],
        },
    }


def require_secret_key(app: Flask) -> None:
    """SECRET_KEY from the environment (or config) wins; else the key generated once into
    the instance folder (SECRET_KEY_FILE), so restarts keep everyone signed in."""
    if app.config.get("SECRET_KEY"):
        return
    path = app.config.get("SECRET_KEY_FILE") or Path(app.instance_path) / "secret_key"
    app.config["SECRET_KEY"] = stored_secret_key(Path(path))
