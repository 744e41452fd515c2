"""A person's own account: changing their password."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from werkzeug.security import check_password_hash

from customers.accounts import set_password
from customers.blueprint import pages_bp
from customers.credentials import password_problem
from customers.pages.forms import PasswordForm
from customers.pages.messages import translated


@pages_bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | tuple[str, int]:
    """The form; a change ends every other session of the person, this one goes on."""
    form = PasswordForm()
    if not form.is_submitted():
        return render_template("password.html", form=form), 200
    if _refused(form):
        return render_template("password.html", form=form), 422
    user = current_user._get_current_object()
    set_password(user, form.new.data)
    session.clear()  # a fresh session, as at sign-in, under the new generation
    login_user(user)
    flash(_("Password changed. Every other session of yours has ended."), "success")
    return redirect(url_for(".list_customers_page"))


def _refused(form: PasswordForm) -> bool:
    """Put a message beside each field that is wrong; True when there is one."""
    current, new = form.current.data or "", form.new.data or ""
    if password_problem(current, new=False) or not check_password_hash(
            current_user.password_hash, current):
        form.current.errors = [_("That is not your current password.")]
    problem = password_problem(new, new=True)
    if problem:
        form.new.errors = [translated(problem)]
    elif new != (form.repeat.data or ""):
        form.repeat.errors = [_("The two new passwords differ.")]
    elif new == current:
        form.new.errors = [_("The new password is the one you have now.")]
    return bool(form.current.errors or form.new.errors or form.repeat.errors)
