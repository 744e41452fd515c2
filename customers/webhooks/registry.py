"""The webhooks an operator registers: where, which events, and the signing secret."""
from __future__ import annotations

import base64
import secrets
from urllib.parse import urlsplit

from sqlalchemy import delete

from customers.extensions import db
from customers.webhooks.models import Webhook, WebhookMessage
from customers.webhooks.outbox import EVENTS
from customers.webhooks.times import now

SECRET_PREFIX = "whsec_"
SECRET_BYTES = (24, 64)  # the Standard Webhooks specification's bounds for a secret's key


class Refused(ValueError):
    """A webhook that cannot be registered as asked (the message says why)."""


def add(url: str, events: list[str], secret: str | None = None) -> tuple[Webhook, str]:
    """Register a webhook; returns it and its secret (a new one unless one is given)."""
    webhook = Webhook(url=checked_url(url), events=_framed(checked_events(events)),
                      secret=checked_secret(secret) if secret else new_secret(), created_at=now())
    db.session.add(webhook)
    db.session.commit()
    return webhook, webhook.secret


def remove(webhook_id: int) -> bool:
    """Remove a webhook and its undelivered messages; False when there is none."""
    webhook = db.session.get(Webhook, webhook_id)
    if webhook is None:
        return False
    db.session.execute(delete(WebhookMessage).where(WebhookMessage.webhook_id == webhook_id))
    db.session.delete(webhook)
    db.session.commit()
    return True


def every() -> list[Webhook]:
    """Every webhook, oldest first."""
    return list(db.session.execute(db.select(Webhook).order_by(Webhook.id)).scalars())


def events_of(webhook: Webhook) -> list[str]:
    """The events a webhook subscribes to."""
    return [event for event in webhook.events.split(",") if event]


def checked_url(url: str) -> str:
    """An absolute http or https URL with a host (loopback and private hosts included: the
    operator registering it is trusted)."""
    if len(url) > 2048 or any(c.isspace() or not c.isprintable() for c in url):
        raise Refused("the URL must be at most 2048 printable characters, without spaces")
    try:
        parts = urlsplit(url)
        parts.port  # a port that is not a number raises here
    except ValueError as error:
        raise Refused(f"not a URL: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("the URL must be http:// or https:// with a host")
    if parts.username is not None or parts.fragment:
        raise Refused("the URL must not hold credentials or a #fragment")
    return url


def checked_events(events: list[str]) -> list[str]:
    """The events asked for, each one known, in the canonical order."""
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise Refused(f"unknown event(s) {', '.join(unknown) or '(none given)'}; "
                      f"choose from {', '.join(EVENTS)}")
    return [event for event in EVENTS if event in events]


def checked_secret(secret: str) -> str:
    """A Standard Webhooks secret: whsec_ and the base64 of a 24 to 64 byte key."""
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except ValueError:
        key = b""
    if not secret.startswith(SECRET_PREFIX) or not SECRET_BYTES[0] <= len(key) <= SECRET_BYTES[1]:
        raise Refused(f"a secret is {SECRET_PREFIX} followed by the base64 of "
                      f"{SECRET_BYTES[0]} to {SECRET_BYTES[1]} random bytes")
    return secret


def new_secret() -> str:
    """A new signing secret (32 random bytes), in the Standard Webhooks form."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _framed(events: list[str]) -> str:
    """Events as stored: framed by commas, so that `,entry.update,` matches one exactly."""
    return "," + ",".join(events) + ","
