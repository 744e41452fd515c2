"""The pages' cookie session, and the signed-in person loaded before anything else."""
from __future__ import annotations

from flask import Flask, Request, Response, g, request, session
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from customers.blueprint import on_pages
from customers.extensions import login_manager
from customers.unproxied import unproxied_request


class PageSessionInterface(SecureCookieSessionInterface):
    """The signed cookie session of the HTML pages. Its cookie is Secure whenever the request
    came over https (or config says so). Only pages and unrouted requests (whose error page a
    browser may see) save it: the answers of the API, health checks and static files neither
    set the cookie nor vary by it, whatever the request carried."""

    def open_session(self, app: Flask, incoming: Request) -> SessionMixin | None:
        if app.secret_key and "HTTP_COOKIE" not in incoming.environ:
            return self.session_class()  # no cookie at all: no signer to build, none to parse
        return super().open_session(app, incoming)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        this = unproxied_request()
        if this.url_rule is None or on_pages(this.blueprints):
            super().save_session(app, session, response)

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or request.is_secure


def load_person_or_fail_cleanly() -> None:
    """Load the signed-in person first: if the database is down, the error page renders as
    signed out (Flask-Login's template context would otherwise retry and fail inside it)."""
    if "_user_id" not in session or request.endpoint == "static":
        return
    try:
        current_user._get_current_object()
    except SQLAlchemyError:
        g._login_user = login_manager.anonymous_user()  # where Flask-Login keeps it per request
        raise
