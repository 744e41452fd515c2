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
from flask_login import current_user, login_required

from customers.blueprint import pages_bp
from customers.roles import ROLES, allows

View = TypeVar("View", bound=Callable[..., Any])


def requires(role: str) -> Callable[[View], View]:
    """A view that needs a signed-in person whose role allows `role` (customers.roles)."""
    if role not in ROLES:
        raise ValueError(f"no role {role!r}")

    def decorate(view: View) -> View:
        @wraps(view)
        def role_checked(*args: Any, **kwargs: Any) -> Any:
            if not may(role):
                abort(403, description=f"Signed in as {current_user.role}, you may not do "
                                       f"this: it needs the role {role}{_or_above(role)}.")
            return view(*args, **kwargs)

        return login_required(role_checked)  # type: ignore[return-value]
    return decorate


@pages_bp.app_template_global()
def may(needed: str) -> bool:
    """Whether the person signed in has a role that allows `needed` (templates use it too)."""
    return current_user.is_authenticated and allows(current_user.role, needed)


def _or_above(role: str) -> str:
    """' or admin' for editor: the roles above it, as a refusal names them."""
    return "".join(f" or {name}" for name in ROLES[ROLES.index(role) + 1:])
