"""Device cookies (OWASP's pattern against lockout): a browser where a name signed in before
is known by a signed cookie, and others' failures for that name do not hold it back."""
from __future__ import annotations

import hashlib
import secrets

from flask import Response, current_app, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "customers_device"
# A shared computer may keep the cookies of a few names; the oldest goes first.
MAX_NAMES = 8


def trusted_nonce(key: str) -> str | None:
    """This browser's nonce for the (normalised) name, if it signed in as it before."""
    return _entries().get(_digest(key))


def remember(response: Response, key: str) -> None:
    """After a sign-in: a fresh nonce for the name in this browser's cookie."""
    entries = _entries()
    entries.pop(_digest(key), None)
    entries[_digest(key)] = secrets.token_urlsafe(16)
    kept = dict(list(entries.items())[-MAX_NAMES:])
    days = current_app.config["LOGIN_DEVICE_COOKIE_DAYS"]
    response.set_cookie(COOKIE, _serializer().dumps(kept), max_age=days * 86400,
                        path=url_for("customers.pages.login"), secure=request.is_secure,
                        httponly=True, samesite="Lax")


def _entries() -> dict[str, str]:
    """The cookie's (name digest -> nonce) pairs; none when it is missing, forged or old."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        days = current_app.config["LOGIN_DEVICE_COOKIE_DAYS"]
        entries = _serializer().loads(raw, max_age=days * 86400)
    except BadSignature:
        return {}
    if not isinstance(entries, dict):
        return {}
    return {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, str)}


def _digest(key: str) -> str:
    """The name as the cookie holds it: not readable by whoever looks at the browser's cookies."""
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def _serializer() -> URLSafeTimedSerializer:
    """Signs with the app's secret key, apart from the session's signatures."""
    return URLSafeTimedSerializer(current_app.secret_key, salt="customers.device-cookie")
