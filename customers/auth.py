"""API authentication: the bearer token of each request, and the views it may reach.

An error is told only to a live token: a view guarded by `requires` proves its token live
before it answers (the lookup itself on a cache miss, a primary-key probe otherwise), unless
it hands the token to the service as its guard, whose write proves it in its own statement.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, g
from flask_httpauth import HTTPTokenAuth

from customers.negotiation import OFFERED, negotiate
from customers.errors import render_error
from customers.tokens import AUTHENTICATION_REQUIRED, SCOPES, Caller, find_caller

token_auth = HTTPTokenAuth(scheme="Bearer")


@token_auth.verify_token
def verify_token(secret: str) -> Caller | None:
    """The live token whose hash matches (cached for a minute), or None."""
    if not secret:
        return None
    caller, proven = find_caller(secret)
    g.token_caller = caller
    if proven and caller is not None:
        g.token_proven = True
    return caller


def ensure_live() -> None:
    """403 unless this request's token is live."""
    caller = token_auth.current_user()
    if caller is not None and not _is_live(caller):
        raise caller.refusal()


def _is_live(caller: Caller) -> bool:
    """Whether the token is still live; free when this request proved it already."""
    if not g.get("token_proven"):
        g.token_proven = caller.is_live()
    return g.token_proven


def requires(scope: str, proven_by_write: bool = False,
             offered: tuple[str, ...] = OFFERED) -> Callable[[Any], Any]:
    """Guard a view with a token of `scope`. With `proven_by_write`, the view passes
    current_caller() to the service as the write's guard; otherwise it is probed first.
    An error is told only to a live token. The answer's format (one of `offered`) is decided
    before the view runs: a 406 must never follow a write the client then retries."""
    def decorate(view: Any) -> Any:
        @token_auth.login_required(role=scope)
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not proven_by_write:
                ensure_live()
            try:
                negotiate(offered)
                return view(*args, **kwargs)
            except Exception:
                ensure_live()
                raise
        return guarded
    return decorate


@token_auth.get_user_roles
def token_roles(caller: Caller) -> tuple[str, ...]:
    """What a token's scope allows."""
    return SCOPES.get(caller.scope, ())


@token_auth.error_handler
def auth_error(status: int) -> Response:
    """403 in the error shape, for a missing or bad token and for a read-only one."""
    caller = g.get("token_caller")  # set by verify_token; current_user() is not, yet
    if status == 403 and caller is not None and _is_live(caller):
        return render_error(403, "This token is not allowed to do this: it needs the write scope.")
    return render_error(403, AUTHENTICATION_REQUIRED)


def current_caller() -> Caller:
    """The token of this request (inside a view guarded by `requires`)."""
    return token_auth.current_user()


def current_actor() -> str:
    """The owner of the token of this request."""
    caller = token_auth.current_user()
    return caller.owner if caller is not None else "anonymous"
