"""What every HTML page shares: the page decorator, safe redirects, cookies and headers."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Request, Response, g, redirect, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from customers.blueprint import bp
from customers.current import this_request
from customers.extensions import login_manager

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'self'",
    "X-Frame-Options": "DENY",
    # Pages show personal data: no copy in shared caches or after signing out.
    "Cache-Control": "no-store",
}


def page(view: Callable[..., Any] | None = None, *, signed_in: bool = True) -> Any:
    """Mark a view as an HTML page (errors render as HTML); most need a signed-in person."""
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        guarded = login_required(view) if signed_in else view

        @wraps(view)
        def page_view(*args: Any, **kwargs: Any) -> Any:
            return guarded(*args, **kwargs)

        page_view.is_page = True  # type: ignore[attr-defined]
        return page_view
    return decorate(view) if view is not None else decorate


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else the customers list (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.isprintable():
            return target
    return url_for("customers.list_customers_page")


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
        view = app.view_functions.get(this_request().endpoint or "")
        if view is None or getattr(view, "is_page", False):
            super().save_session(app, session, response)

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or request.is_secure


@bp.record_once
def _install_session_interface(state: BlueprintSetupState) -> None:
    """The factory registers this blueprint once: the app's cookies follow the scheme."""
    state.app.session_interface = PageSessionInterface()


@bp.before_app_request
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


@bp.after_app_request
def security_headers(response: Response) -> Response:
    """No sniffing anywhere; HTML also gets a strict CSP and no framing."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.headers.get("Content-Type", "")[:9].lower() == "text/html":  # no header parse
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


@bp.get("/")
@page(signed_in=False)
def home() -> Response:
    """A browser arriving at the root goes to the customers list."""
    return redirect(url_for(".list_customers_page"))
