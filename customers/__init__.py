"""The customers package: one blueprint serving the API and the HTML pages."""
from __future__ import annotations

from flask import Flask


def register_blueprint(app: Flask) -> None:
    """Attach the customers blueprint with every view module loaded."""
    from customers import accounts, api, health, openapi, pages  # noqa: F401  (routes register on import)
    from customers.blueprint import bp

    app.register_blueprint(bp)


def register_error_handlers(app: Flask) -> None:
    """Render every error in the one shape."""
    from customers.errors import register

    register(app)


def register_cli(app: Flask) -> None:
    """Add the `users`, `tokens` commands (`db` comes from Flask-Migrate)."""
    from customers.cli import tokens_cli, users_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
