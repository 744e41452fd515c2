"""API authentication: bearer tokens, looked up by the hash of their secret.

Who a token is (id, owner, scope) is cached per app for a minute, keyed by the hash of its
secret, which spares the write path a query. Revocation still takes effect at once: every
answer other than a refusal goes to a token proven live during that very request, by the
lookup itself (a cache miss), inside the write's own statement (service.update and delete
take the `caller` and add `LIVE` to their WHERE), or by a primary-key probe (reads, creates,
and every error before it is told).
"""
from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Response, current_app, g
from flask_httpauth import HTTPTokenAuth
from sqlalchemy import bindparam, exists, select

from customers.errors import ApiError, render_error
from customers.extensions import db
from customers.models import Token, utcnow

SCOPES = {"read": ("read",), "write": ("read", "write")}
TOKEN_PREFIX = "cst_"
AUTHENTICATION_REQUIRED = "Authentication required: send 'Authorization: Bearer <token>'."
CACHE_SECONDS = 60
CACHE_SIZE = 1024

token_auth = HTTPTokenAuth(scheme="Bearer")
TOKENS = Token.__table__
_BY_HASH = select(TOKENS.c.id, TOKENS.c.owner, TOKENS.c.scope, TOKENS.c.secret_hash).where(
    TOKENS.c.secret_hash == bindparam("digest"), TOKENS.c.revoked_at.is_(None))
# True while the token is live; binds :token_id and :token_hash (Caller.proof()). The hash
# is compared too, so a token id reused after a row was deleted by hand proves nothing.
LIVE = exists().where(TOKENS.c.id == bindparam("token_id"),
                      TOKENS.c.secret_hash == bindparam("token_hash"), TOKENS.c.revoked_at.is_(None))
_PROBE = select(LIVE)


@dataclass(frozen=True)
class Caller:
    """The token of a request: who it is, what it may do, and how to prove it still live."""

    id: int
    owner: str
    scope: str
    secret_hash: str

    def proof(self) -> dict[str, Any]:
        """The parameters of `LIVE` for this token."""
        return {"token_id": self.id, "token_hash": self.secret_hash}


def hash_secret(secret: str) -> str:
    """SHA-256 of a token: tokens are long random strings, so no salt is needed."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(owner: str, scope: str) -> tuple[Token, str]:
    """Store a new token for `owner` and return it with its secret (shown once)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = Token(owner=owner, scope=scope, secret_hash=hash_secret(secret))
    db.session.add(token)
    db.session.commit()
    return token, secret


def revoke_token(token_id: int) -> Token | None:
    """Mark a token revoked; it is refused from the next request on, in every process."""
    token = db.session.get(Token, token_id)
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
        _cache().pop(token.secret_hash, None)
    return token


def _cache() -> dict[str, tuple[Caller, float]]:
    """This app's cache of live tokens by secret hash (each app has its own database)."""
    return current_app.extensions.setdefault("customers.token_cache", {})


@token_auth.verify_token
def verify_token(secret: str) -> Caller | None:
    """The token whose hash matches: from the cache, else from the database (proven live)."""
    if not secret:
        return None
    digest, cache = hash_secret(secret), _cache()
    cached = cache.get(digest)
    if cached is not None and cached[1] > time.monotonic():
        g.token_caller = cached[0]
        return cached[0]
    row = db.session.execute(_BY_HASH, {"digest": digest}).first()
    if row is None:
        cache.pop(digest, None)
        return None
    if len(cache) >= CACHE_SIZE:
        cache.clear()  # rare (that many live tokens in a minute); keeps memory bounded
    caller = Caller(*row)
    cache[digest] = (caller, time.monotonic() + CACHE_SECONDS)
    g.token_caller, g.token_proven = caller, True
    return caller


def refuse(caller: Caller) -> ApiError:
    """Forget a token found revoked; the 403 to raise."""
    _cache().pop(caller.secret_hash, None)
    return ApiError(403, AUTHENTICATION_REQUIRED)


def ensure_live() -> None:
    """403 unless this request's token is live."""
    caller = token_auth.current_user()
    if caller is not None and not _is_live(caller):
        raise refuse(caller)


def _is_live(caller: Caller) -> bool:
    """Whether the token is still live; free when this request proved it already."""
    if not g.get("token_proven"):
        g.token_proven = bool(db.session.execute(_PROBE, caller.proof()).scalar())
    return g.token_proven


def requires(scope: str, proven_by_write: bool = False) -> Callable[[Any], Any]:
    """Guard a view with a token of `scope`. With `proven_by_write`, the view passes
    current_caller() to the service, whose write proves the token live; otherwise it is
    probed first. An error is told only to a live token."""
    def decorate(view: Any) -> Any:
        @token_auth.login_required(role=scope)
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not proven_by_write:
                ensure_live()
            try:
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
