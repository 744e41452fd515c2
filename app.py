"""The application factory: configuration, then every piece of wiring, one step each."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from customers import metrics, transactions
from customers.config import configure
from customers.extensions import csrf, db, login_manager, migrate


class CustomersApp(Flask):
    """Flask, answering only once the request's database session is released."""

    def dispatch_request(self) -> Any:
        """The view's answer, given once the request's database session is released: a
        connection lost by then (its ROLLBACK fails) is an outage answered by the error
        handlers (503), not an exception at teardown, where only a bare 500 is left."""
        try:
            answer = super().dispatch_request()
        except BaseException:
            transactions.release_session()  # its error, if any, replaces the view's
            raise
        if not getattr(answer, "is_streamed", False):  # a streamed body may still read
            transactions.release_session()
        return answer


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, then the checklist below, in this order."""
    app = CustomersApp(__name__, instance_relative_config=True)
    configure(app, test_config)
    register_extensions(app)
    register_languages(app)
    register_transactions(app)
    register_sqlite(app)
    register_converters(app)
    register_blueprints(app)
    register_session(app)
    register_security_headers(app)
    register_request_id(app)
    register_error_handlers(app)
    register_cli(app)
    register_host_header(app)
    register_metrics(app)
    register_proxy_fix(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind every extension of customers/extensions.py to the app."""
    db.init_app(app)
    migrate.init_app(app, db)
    csrf.init_app(app)
    login_manager.init_app(app)


def register_languages(app: Flask) -> None:
    """English and Portuguese pages (Flask-Babel), times shown in TIMEZONE (customers/i18n.py)."""
    from customers import i18n

    i18n.register(app)


def register_transactions(app: Flask) -> None:
    """On PostgreSQL: each transaction's settings, sent with its BEGIN (customers/transactions.py);
    a safety net for the session at teardown."""
    transactions.register(app)


def register_sqlite(app: Flask) -> None:
    """On SQLite: WAL, pragmas and SQL functions on every connection (customers/sqlite/)."""
    from customers.sqlite import register_sqlite as register

    register(app)


def register_converters(app: Flask) -> None:
    """`<record_id:...>` in routes: any path segment but `count`."""
    from customers.ids import RecordIdConverter

    app.url_map.converters["record_id"] = RecordIdConverter


def register_blueprints(app: Flask) -> None:
    """The `customers` blueprint with its children: the API (exempt from CSRF: bearer
    tokens, no cookies) and the HTML pages."""
    from customers import accounts, api, bulk, health, history_api, openapi, pages  # noqa: F401  (routes register on import)
    from customers.blueprint import api_bp, bp

    csrf.exempt(api_bp)
    app.register_blueprint(bp)


def register_session(app: Flask) -> None:
    """The pages' cookie session (saved by pages only), and the person loaded first."""
    from customers.pages.session import PageSessionInterface, load_person_or_fail_cleanly

    app.session_interface = PageSessionInterface()
    app.before_request(load_person_or_fail_cleanly)


def register_security_headers(app: Flask) -> None:
    """nosniff on every response; CSP, no framing and no caching on HTML."""
    from customers.headers import security_headers

    app.after_request(security_headers)


def register_request_id(app: Flask) -> None:
    """X-Request-ID on every response, errors included, and on every log line."""
    from customers.request_id import tag_response

    app.after_request(tag_response)


def register_error_handlers(app: Flask) -> None:
    """Render every error in the one shape, in the negotiated format."""
    from customers.errors import register

    register(app)


def register_cli(app: Flask) -> None:
    """Add the `users`, `tokens`, `webhooks`, `trash`, `customers` and `search` commands (`db`
    comes from Flask-Migrate)."""
    from customers.cli import tokens_cli, users_cli
    from customers.memory_cli import customers_cli, trash_cli
    from customers.search_cli import search_cli
    from customers.webhooks.cli import webhooks_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(webhooks_cli)
    app.cli.add_command(trash_cli)
    app.cli.add_command(customers_cli)
    app.cli.add_command(search_cli)


def register_host_header(app: Flask) -> None:
    """A Host that is no host name, undecodable or not in TRUSTED_HOSTS is a 400 before any
    work. Installed before ProxyFix, which then runs first: the public Host is checked."""
    from customers.host_header import register

    register(app)


def register_metrics(app: Flask) -> None:
    """Count and time every answer for GET /metrics (customers/metrics.py)."""
    metrics.register(app)


def register_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* only from as many proxies as PROXY_HOPS says."""
    hops = app.config["PROXY_HOPS"]
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
