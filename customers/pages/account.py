"""A person's own account: changing their password, whose current one is guessed no faster
than a sign-in's (the sign-in throttle, counted per person)."""
from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from werkzeug.security import check_password_hash

from customers.accounts import set_password
from customers.blueprint import pages_bp
from customers.credentials import name_key, password_problem
from customers.pages.forms import PasswordForm
from customers.pages.messages import translated
from customers.pages.throttle import Limit, login_throttle, password_subject


@pages_bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """The form; a change ends every other session of the person, this one goes on."""
    form = PasswordForm()
    if not form.is_submitted():
        return render_template("password.html", form=form), 200
    user = current_user._get_current_object()
    # A stolen session must not become a way to guess the password: each wrong current
    # password counts, as a failed sign-in does; a right one starts the count over, and so
    # does the owner's sign-in (signing out ends the stolen session too).
    limit = Limit(password_subject(name_key(user.name)), current_app.config["LOGIN_MAX_FAILURES"])
    attempt = login_throttle().attempt([limit])
    if attempt.wait:
        form.current.errors = [_("Too many wrong current passwords. Wait %(wait)s seconds, then "
                                 "try again.", wait=attempt.wait)]
        return render_template("password.html", form=form), 429, {"Retry-After": str(attempt.wait)}
    current_is_right = _is_current_password(form.current.data or "")
    if current_is_right:
        login_throttle().succeeded(attempt, forget=[limit.subject])
    if _refused(form, current_is_right):
        return render_template("password.html", form=form), 422
    set_password(user, form.new.data)
    session.clear()  # a fresh session, as at sign-in, under the new generation
    login_user(user)
    flash(_("Password changed. Every other session of yours has ended."), "success")
    return redirect(url_for(".list_customers_page"))


def _is_current_password(current: str) -> bool:
    """Whether this is the person's password now."""
    return not password_problem(current, new=False) and check_password_hash(
        current_user.password_hash, current)


def _refused(form: PasswordForm, current_is_right: bool) -> bool:
    """Put a message beside each field that is wrong; True when there is one."""
    current, new = form.current.data or "", form.new.data or ""
    if not current_is_right:
        form.current.errors = [_("That is not your current password.")]
    problem = password_problem(new, new=True)
    if problem:
        form.new.errors = [translated(problem)]
    elif new != (form.repeat.data or ""):
        form.repeat.errors = [_("The two new passwords differ.")]
    elif new == current:
        form.new.errors = [_("The new password is the one you have now.")]
    return bool(form.current.errors or form.new.errors or form.repeat.errors)
