"""The Host a request names: a host name, decodable, and trusted when TRUSTED_HOSTS says so.

It is checked in front of the app (inside ProxyFix, so a proxy's X-Forwarded-Host is what is
checked). Flask refuses an untrusted Host only while it binds the URL map, and werkzeug
decodes the Host (IDNA) whenever it rebuilds the request's URL: either failure would leave no
way to build even an error page. So a refused Host is replaced by a harmless one and the
request marked, and the app's first hook answers 400 in the error shape, before any other
hook or view does any work.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from flask import Flask
from werkzeug.sansio.utils import host_is_trusted

from customers.unproxied import unproxied_request
from customers.errors import ApiError

REFUSED = "customers.refused_host"  # environ key: why this request's Host was refused
NOT_A_HOST = "The Host header is missing or is not a valid host name."
NOT_OURS = "The Host header names no host this service answers to."
# Probes by address (a load balancer, an orchestrator), or with no Host at all (HTTP/1.0),
# need no trusted name: they build no URL. They are still refused a Host that is no host name.
PROBES = frozenset({"/healthz", "/readyz"})


def register(app: Flask) -> None:
    """Check every request's Host in front of the app; answer refusals before any hook."""
    trusted = trusted_hosts(app.config.get("TRUSTED_HOSTS"))
    app.config["TRUSTED_HOSTS"] = list(trusted) if trusted is not None else None
    app.wsgi_app = HostCheck(app.wsgi_app, trusted)  # type: ignore[method-assign]
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_marked_host)


def trusted_hosts(names: Iterable[str] | None) -> tuple[str, ...] | None:
    """TRUSTED_HOSTS in lower case (werkzeug compares them as they are); a name that is no
    host name stops the start, as no request could ever match it."""
    if names is None:
        return None
    trusted = tuple(name.strip().lower() for name in names)
    for name in trusted:
        if _refusal(name.removeprefix("."), None) is not None:
            raise RuntimeError(f"TRUSTED_HOSTS: {name!r} is not a host name")
    return trusted


def refuse_marked_host() -> None:
    """400 for a request whose Host was refused (the first before_request hook)."""
    reason = unproxied_request().environ.get(REFUSED)
    if reason is not None:
        raise ApiError(400, reason)


class HostCheck:
    """WSGI middleware: a refused Host is marked and replaced before Flask sees it."""

    def __init__(self, app: Callable[..., Any], trusted: tuple[str, ...] | None):
        self.app, self.trusted = app, trusted
        # Trusted by the list, so Flask's own TRUSTED_HOSTS check passes it too.
        self.stand_in = trusted[0].removeprefix(".") if trusted else "localhost"

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        host = environ.get("HTTP_HOST", "").lower()
        reason = _refusal(host, self.trusted)
        if (reason == NOT_OURS or not host) and environ.get("PATH_INFO") in PROBES:
            reason, host = None, self.stand_in
        if reason is not None:
            environ[REFUSED], host = reason, self.stand_in
        environ["HTTP_HOST"] = host  # host names are case-insensitive; werkzeug's checks are not
        return self.app(environ, start_response)


@lru_cache(maxsize=256)  # the Host is the client's: a bounded cache
def _refusal(host: str, trusted: tuple[str, ...] | None) -> str | None:
    """Why this Host is refused, or None. werkzeug's own rule first (letters, digits, '-'
    and '.', or an IP literal, and a port), then what werkzeug does with the name when it
    builds URLs: encode it to IDNA (labels of 1 to 63 characters) and decode it back (an
    `xn--` label must hold real punycode)."""
    if not host_is_trusted(host):
        return NOT_A_HOST
    name = host if host.startswith("[") else host.rpartition(":")[0] or host
    try:
        name.encode("idna").decode("idna")
    except UnicodeError:
        return NOT_A_HOST
    if trusted is not None and not host_is_trusted(host, trusted):
        return NOT_OURS
    return None
