"""The application factory."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from customers import register_blueprint, register_cli, register_error_handlers
from customers.config import configure
from customers.extensions import register_extensions
from customers.request_id import register as register_request_id


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprint, errors, commands."""
    app = Flask(__name__, instance_relative_config=True)
    configure(app, test_config)
    register_extensions(app)
    register_blueprint(app)
    register_error_handlers(app)
    register_request_id(app)
    register_cli(app)
    register_proxy_fix(app)
    return app


def register_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* only from as many proxies as PROXY_HOPS says."""
    hops = app.config["PROXY_HOPS"]
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
