"""Signing in and out of the HTML pages."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from customers.accounts import authenticate
from customers.blueprint import pages_bp
from customers.extensions import login_manager
from customers.models import User
from customers.pages.common import safe_next
from customers.pages.forms import ConfirmForm, LoginForm
from customers.pages.throttle import login_throttle

login_manager.login_view = "customers.pages.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"

# One message for an unknown name and a wrong password: neither reveals who exists.
REFUSED = "Wrong name or password."


@pages_bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int, dict[str, str]] | str:
    """The sign-in form; repeated failures per name or address are slowed down."""
    form = LoginForm()
    if not form.is_submitted():
        return render_template("login.html", form=form)
    keys = _throttle_keys(form.name.data or "")
    wait = login_throttle().wait(keys)
    if wait:
        return _too_many_attempts(form, wait)
    user = authenticate(form.name.data or "", form.password.data or "")
    if user is None:
        login_throttle().failed(keys)
        return render_template("login.html", form=form, error=REFUSED), 200, {}
    login_throttle().succeeded(keys[0])
    return _sign_in(user)


def _too_many_attempts(form: LoginForm, wait: int) -> tuple[str, int, dict[str, str]]:
    """429, saying how long to wait; the password is not even checked."""
    minutes = f" (about {round(wait / 60)} minutes)" if wait >= 120 else ""
    message = f"Too many attempts. Wait {wait} seconds{minutes}, then try again."
    return render_template("login.html", form=form, error=message), 429, {"Retry-After": str(wait)}


def _sign_in(user: User) -> Response:
    """A fresh session for the person, then on to where they were going."""
    session.clear()  # nothing planted in the session before sign-in survives it
    login_user(user)
    flash(f"Signed in as {user.name}.", "success")
    return redirect(safe_next(request.args.get("next")))


def _throttle_keys(name: str) -> list[str]:
    """The account's key first, then the address's."""
    return [f"name:{name.strip().casefold()[:255]}", f"address:{request.remote_addr}"]


@pages_bp.route("/logout", methods=["GET", "POST"])
def logout() -> Response | str:
    """GET asks to confirm (following a link must not sign anyone out); POST signs out."""
    if not current_user.is_authenticated:
        return redirect(url_for(".login"))
    if request.method == "GET":
        return render_template("logout.html", form=ConfirmForm())
    logout_user()
    session.clear()
    flash("Signed out.", "success")
    return redirect(url_for(".login"))
