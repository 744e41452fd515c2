"""API tokens: stored as the hash of their secret, cached per app, proven live in SQL.

Who a token is (id, owner, scope) is cached per app for a minute, keyed by the hash of its
secret, which spares the write path a query. Revocation still takes effect at once: a
`Caller` is also the guard the service puts inside its write (`LIVE`, with the caller's
parameters), and customers/auth.py proves the token live before any other answer.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, exists, select

from customers.errors import ApiError
from customers.extensions import db
from customers.models import Token, utcnow

SCOPES = {"read": ("read",), "write": ("read", "write")}
TOKEN_PREFIX = "cst_"
AUTHENTICATION_REQUIRED = "Authentication required: send 'Authorization: Bearer <token>'."
CACHE_SECONDS = 60
CACHE_SIZE = 1024

TOKENS = Token.__table__
_BY_HASH = select(TOKENS.c.id, TOKENS.c.owner, TOKENS.c.scope, TOKENS.c.secret_hash).where(
    TOKENS.c.secret_hash == bindparam("digest"), TOKENS.c.revoked_at.is_(None))
# True while the token is live; binds :token_id and :token_hash (Caller.params). The hash
# is compared too, so a token id reused after a row was deleted by hand proves nothing.
LIVE = exists().where(TOKENS.c.id == bindparam("token_id"),
                      TOKENS.c.secret_hash == bindparam("token_hash"), TOKENS.c.revoked_at.is_(None))
_PROBE = select(LIVE)


@dataclass(frozen=True)
class Caller:
    """The token of a request: who it is, what it may do, and (as the service's guard) the
    SQL that holds while it is live."""

    id: int
    owner: str
    scope: str
    secret_hash: str

    condition = LIVE  # a class attribute: one statement shape for every token

    @property
    def params(self) -> dict[str, Any]:
        """The parameters of `LIVE` for this token."""
        return {"token_id": self.id, "token_hash": self.secret_hash}

    def refusal(self) -> ApiError:
        """The token was found revoked: forget it; the 403 to raise."""
        _cache().pop(self.secret_hash, None)
        return ApiError(403, AUTHENTICATION_REQUIRED)

    def is_live(self) -> bool:
        """Whether the token is live now (one primary-key probe)."""
        return bool(db.session.execute(_PROBE, self.params).scalar())


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


def find_caller(secret: str) -> tuple[Caller | None, bool]:
    """The live token with this secret, and whether the database was asked just now (which
    proves it live); from this app's cache for a minute after that."""
    digest, cache = hash_secret(secret), _cache()
    cached = cache.get(digest)
    if cached is not None and cached[1] > time.monotonic():
        return cached[0], False
    row = db.session.execute(_BY_HASH, {"digest": digest}).first()
    if row is None:
        cache.pop(digest, None)
        return None, True
    if len(cache) >= CACHE_SIZE:
        cache.clear()  # rare (that many live tokens in a minute); keeps memory bounded
    caller = Caller(*row)
    cache[digest] = (caller, time.monotonic() + CACHE_SECONDS)
    return caller, True


def _cache() -> dict[str, tuple[Caller, float]]:
    """This app's cache of live tokens by secret hash (each app has its own database)."""
    return current_app.extensions.setdefault("customers.token_cache", {})

