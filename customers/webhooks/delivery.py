"""One signed POST of one message (Standard Webhooks: webhook-id, -timestamp, -signature)."""
from __future__ import annotations

import http.client
import socket
from datetime import datetime, timezone
from math import floor
from typing import NamedTuple
from urllib.parse import urlsplit

from standardwebhooks import Webhook as Signer

USER_AGENT = "customers-webhooks/1"
MAX_ANSWER_BYTES = 64 * 1024  # what is read of an answer: only its status matters


class Outcome(NamedTuple):
    """How one attempt went: a 2xx status is success; status None means no answer."""

    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def signed_headers(secret: str, msg_id: str, body: str, at: datetime | None = None) -> dict[str, str]:
    """The Standard Webhooks headers for this body, signed now (or at `at`)."""
    at = at or datetime.now(timezone.utc)
    return {"webhook-id": msg_id, "webhook-timestamp": str(floor(at.timestamp())),
            "webhook-signature": Signer(secret).sign(msg_id, at, body)}


def post(url: str, secret: str, msg_id: str, body: str, timeout: float) -> Outcome:
    """POST the body, signed; a timeout or a refused connection is a failed attempt (no
    redirect is followed: a receiver answers where it was registered)."""
    parts = urlsplit(url)
    connection_class = (http.client.HTTPSConnection if parts.scheme == "https"
                        else http.client.HTTPConnection)
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               **signed_headers(secret, msg_id, body)}
    try:
        connection.request("POST", target, body=body.encode(), headers=headers)
        answer = connection.getresponse()
        answer.read(MAX_ANSWER_BYTES)
        return Outcome(answer.status, None if 200 <= answer.status < 300 else f"HTTP {answer.status}")
    except (socket.timeout, TimeoutError):
        return Outcome(None, f"no answer within {timeout:g} s")
    except (OSError, http.client.HTTPException) as error:
        return Outcome(None, f"{type(error).__name__}: {error}"[:255])
    finally:
        connection.close()
