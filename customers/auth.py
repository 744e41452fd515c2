"""API authentication: bearer tokens, looked up by the hash of their secret."""
from __future__ import annotations

import hashlib
import secrets

from flask import Response
from flask_httpauth import HTTPTokenAuth

from customers.errors import render_error
from customers.extensions import db
from customers.models import Token, utcnow

SCOPES = {"read": ("read",), "write": ("read", "write")}
TOKEN_PREFIX = "cst_"

token_auth = HTTPTokenAuth(scheme="Bearer")


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
    """Mark a token revoked; it is refused from the next request on."""
    token = db.session.get(Token, token_id)
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return token


@token_auth.verify_token
def verify_token(secret: str) -> Token | None:
    """The live token whose hash matches, if any."""
    if not secret:
        return None
    query = db.select(Token).where(Token.secret_hash == hash_secret(secret), Token.revoked_at.is_(None))
    return db.session.execute(query).scalar_one_or_none()


@token_auth.get_user_roles
def token_roles(token: Token) -> tuple[str, ...]:
    """What a token's scope allows."""
    return SCOPES.get(token.scope, ())


@token_auth.error_handler
def auth_error(status: int) -> Response:
    """403 in the error shape, for a missing or bad token and for a read-only one."""
    if status == 403:
        return render_error(403, "This token is not allowed to do this: it needs the write scope.")
    return render_error(403, "Authentication required: send 'Authorization: Bearer <token>'.")


def current_actor() -> str:
    """The owner of the token of this request."""
    token = token_auth.current_user()
    return token.owner if token is not None else "anonymous"
