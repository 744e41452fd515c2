"""Which pages a person's role opens: one decorator for views, one test for templates.

`@requires("editor")` on creating and editing, `@requires("admin")` on deleting, restoring,
importing. A stranger is sent to sign in; a person whose role does not allow it gets a 403
page naming the role it needs (never a silent redirect).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user, login_required

from customers.blueprint import pages_bp
from customers.roles import ROLES, allows
from customers.schemas import N_

View = TypeVar("View", bound=Callable[..., Any])
# The roles' names, for the pages to translate.
ROLE_NAMES = (N_("viewer"), N_("editor"), N_("admin"))


def requires(role: str) -> Callable[[View], View]:
    """A view that needs a signed-in person whose role allows `role` (customers.roles)."""
    if role not in ROLES:
        raise ValueError(f"no role {role!r}")

    def decorate(view: View) -> View:
        @wraps(view)
        def role_checked(*args: Any, **kwargs: Any) -> Any:
            if not may(role):
                abort(403, description=_(
                    "Signed in as %(role)s, you may not do this: it needs the role %(needed)s.",
                    role=_(current_user.role), needed=_(role) + _or_above(role)))
            return view(*args, **kwargs)

        return login_required(role_checked)  # type: ignore[return-value]
    return decorate


@pages_bp.app_template_global()
def may(needed: str) -> bool:
    """Whether the person signed in has a role that allows `needed` (templates use it too)."""
    return current_user.is_authenticated and allows(current_user.role, needed)


def _or_above(role: str) -> str:
    """' or admin' for editor: the roles above it, as a refusal names them."""
    return "".join(_(" or %(role)s", role=_(name)) for name in ROLES[ROLES.index(role) + 1:])
