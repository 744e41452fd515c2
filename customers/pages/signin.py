"""Signing in and out of the HTML pages."""
from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_user, logout_user

from customers.accounts import authenticate, end_sessions, nobody_yet
from customers.blueprint import pages_bp
from customers.credentials import name_key, name_problem, password_problem
from customers.extensions import login_manager
from customers.models import User
from customers.pages import devices
from customers.pages.common import safe_next
from customers.pages.forms import ConfirmForm, LoginForm
from customers.pages.messages import translated
from customers.pages.throttle import Limit, login_throttle, password_subject

login_manager.login_view = "customers.pages.login"
login_manager.login_message = lazy_gettext("Please sign in to see that page.")
login_manager.login_message_category = "info"

# One message for an unknown name and a wrong password: neither reveals who exists.
REFUSED = lazy_gettext("Wrong name or password.")
Page = Response | tuple[str, int, dict[str, str]]


@pages_bp.route("/login", methods=["GET", "POST"])
def login() -> Page:
    """The sign-in form; repeated failures are slowed down, but not for the name's own browser."""
    form = LoginForm()
    if not form.is_submitted():
        return _form(form)
    name, password = form.name.data or "", form.password.data or ""
    problem = name_problem(name) or password_problem(password, new=False)
    if problem:  # nothing unstorable reaches the database, nor is anything counted
        return _form(form, translated(problem), 422)
    key = name_key(name)
    limits = _limits(key)
    attempt = login_throttle().attempt(limits)
    if attempt.wait:
        return _too_many_attempts(form, attempt.wait)
    user = authenticate(name, password)
    if user is None:
        return _form(form, REFUSED)  # the attempt stays counted, as a failure
    # The name's count starts over, and this browser's, and the password page's; never the
    # address's.
    forget = {f"name:{key}", password_subject(key),
              *(limit.subject for limit in limits if limit.subject[:7] == "device:")}
    login_throttle().succeeded(attempt, forget=sorted(forget))
    response = _sign_in(user)
    devices.remember(response, key)
    return response


def _limits(key: str) -> list[Limit]:
    """What an attempt counts against. A browser with the
    name's device cookie counts against that cookie alone: nobody else's failures, for that
    name or from that address, hold it back. Any other browser counts against the name and
    the address (which stops one address trying many names)."""
    config = current_app.config
    nonce = devices.trusted_nonce(key)
    if nonce is not None:
        return [Limit(f"device:{nonce}", config["LOGIN_MAX_FAILURES"])]
    return [Limit(f"name:{key}", config["LOGIN_MAX_FAILURES"]),
            Limit(f"address:{request.remote_addr}", config["LOGIN_MAX_FAILURES_PER_ADDRESS"])]


def _form(form: LoginForm, error: str | None = None, status: int = 200) -> Page:
    """The sign-in page, with a message when there is one."""
    first_run = not form.is_submitted() and nobody_yet()
    return render_template("login.html", form=form, error=error, first_run=first_run), status, {}


def _too_many_attempts(form: LoginForm, wait: int) -> Page:
    """429, saying how long to wait; the password is not even checked."""
    if wait >= 120:
        message = _("Too many attempts. Wait %(wait)s seconds (about %(minutes)s minutes), then "
                    "try again, or sign in from a browser where you signed in before.",
                    wait=wait, minutes=round(wait / 60))
    else:
        message = _("Too many attempts. Wait %(wait)s seconds, then try again, or sign in from "
                    "a browser where you signed in before.", wait=wait)
    return render_template("login.html", form=form, error=message), 429, {"Retry-After": str(wait)}


def _sign_in(user: User) -> Response:
    """A fresh session for the person, then on to where they were going."""
    session.clear()  # nothing planted in the session before sign-in survives it
    login_user(user)
    flash(_("Signed in as %(name)s.", name=user.name), "success")
    return redirect(safe_next(request.args.get("next")))


@pages_bp.route("/logout", methods=["GET", "POST"])
def logout() -> Response | str:
    """GET asks to confirm (following a link must not sign anyone out); POST signs the person
    out everywhere: a copy of the session cookie kept from before opens nothing. The device
    cookie stays: this browser is still the person's own."""
    if not current_user.is_authenticated:
        return redirect(url_for(".login"))
    if request.method == "GET":
        return render_template("logout.html", form=ConfirmForm())
    end_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("Signed out."), "success")
    return redirect(url_for(".login"))
