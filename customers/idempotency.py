"""Idempotency-Key (IETF httpapi draft): a retried POST replays its first answer.

A key belongs to the token that sent it and lives in the database (`idempotency_keys`), so
every worker and host honours it. The first request with a key claims it in a transaction
of its own (a concurrent duplicate then finds the claim: 409). The write that the request
makes completes the claim in the write's own transaction (service.py calls `complete`), so a
create is never committed without its key knowing the answer, and a claim whose request died
before writing anything is taken over once it is older than CLAIM_SECONDS.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from customers.errors import ApiError
from customers.extensions import db
from customers.models import IdempotencyKey, utcnow

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
KEEP = timedelta(hours=24)
# A claim this old without an answer belongs to a request that died before its write
# (gunicorn kills a silent worker after GUNICORN_TIMEOUT, 30 s): a retry may take it over.
CLAIM_SECONDS = 120
KEYS = IdempotencyKey.__table__


def parse_key(header: str | None) -> str | None:
    """The key of an `Idempotency-Key` header: a structured-field string (`"abc"`), or the
    same characters bare (`abc`); 400 for anything else. None when there is no header."""
    if header is None:
        return None
    text = header.strip(" \t")
    if text.startswith('"'):
        key = _sf_string(text)
    elif '"' in text or "\\" in text:
        raise _malformed("a bare key cannot hold quotes or backslashes")
    else:
        key = text
    if not 1 <= len(key) <= MAX_LENGTH:
        raise _malformed(f"a key has 1 to {MAX_LENGTH} characters")
    if not all(" " <= c <= "~" for c in key):
        raise _malformed("a key holds printable ASCII characters only")
    return key


def _sf_string(text: str) -> str:
    """An RFC 8941 sf-string: DQUOTE, characters with `\\"` and `\\\\` escaped, DQUOTE."""
    chars, escaped = [], False
    for position, char in enumerate(text[1:], start=1):
        if escaped:
            if char not in '"\\':
                raise _malformed("only \\\" and \\\\ may be escaped in a quoted key")
            chars.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            if position != len(text) - 1:
                raise _malformed("nothing may follow the closing quote")
            return "".join(chars)
        else:
            chars.append(char)
    raise _malformed("the quoted key has no closing quote")


def _malformed(reason: str) -> ApiError:
    return ApiError(400, f"Malformed {HEADER} header: {reason}.")


def fingerprint(method: str, path: str, content_type: str, body: bytes) -> str:
    """What makes two requests the same: method, path and query, body type and bytes."""
    digest = hashlib.sha256()
    for part in (method, path, content_type.lower()):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(body)
    return digest.hexdigest()


@dataclass
class Answer:
    """A stored first answer: its status, its payload (encoded anew in the format the
    retry negotiates) and the headers that describe it (Location, ETag)."""

    status: int
    payload: Any
    headers: dict[str, str]


@dataclass
class Claim:
    """A key this request holds. `answer_of` turns what the write returned into the answer
    to keep; the write service calls `complete` inside its own transaction."""

    id: int
    answer_of: Callable[[Any], Answer] | None = None

    def answering(self, answer_of: Callable[[Any], Answer]) -> "Claim":
        """This claim, storing `answer_of(result)` when the write completes it."""
        self.answer_of = answer_of
        return self

    def complete(self, connection: Connection, result: Any) -> None:
        """Store the answer of this request's write, in the write's transaction."""
        if self.answer_of is None:
            return
        answer = self.answer_of(result)
        connection.execute(update(KEYS).where(KEYS.c.id == self.id).values(
            state="done", status=answer.status, headers=json.dumps(answer.headers),
            payload=json.dumps(answer.payload, ensure_ascii=False)))


def claim(token_id: int, key: str, request_fingerprint: str) -> Claim | Answer:
    """Claim a key for this request, or the first answer to replay; 422 when the key was
    used with another request, 409 while the first one is still running."""
    now = utcnow()
    with db.engine.begin() as connection:
        connection.execute(delete(KEYS).where(KEYS.c.token_id == token_id, KEYS.c.key == key,
                                              KEYS.c.created_at <= now - KEEP))
    try:
        with db.engine.begin() as connection:
            row_id = connection.execute(insert(KEYS).values(
                token_id=token_id, key=key, fingerprint=request_fingerprint, state="running",
                created_at=now, claimed_at=now).returning(KEYS.c.id)).scalar_one()
        return Claim(row_id)
    except IntegrityError:
        return _existing(token_id, key, request_fingerprint)


def _existing(token_id: int, key: str, request_fingerprint: str) -> Claim | Answer:
    """The key is taken: its answer, a refusal, or (a dead request's claim) ours now."""
    with db.engine.begin() as connection:
        row = connection.execute(select(KEYS).where(
            KEYS.c.token_id == token_id, KEYS.c.key == key)).first()
        if row is None:  # released meanwhile: the client may simply retry
            raise _in_progress()
        if row.fingerprint != request_fingerprint:
            raise ApiError(422, f"This {HEADER} was already used with a different request; "
                                "use a new key for a new request.")
        if row.state == "done":
            return Answer(row.status, json.loads(row.payload), json.loads(row.headers))
        stale = utcnow() - timedelta(seconds=CLAIM_SECONDS)
        taken = connection.execute(update(KEYS).where(
            KEYS.c.id == row.id, KEYS.c.state == "running", KEYS.c.claimed_at <= stale)
            .values(claimed_at=utcnow())).rowcount
    if taken:
        return Claim(row.id)
    raise _in_progress()


def _in_progress() -> ApiError:
    return ApiError(409, f"A request with this {HEADER} is still being processed; "
                         "retry after it has finished.")


def release(held: Claim) -> None:
    """Give up a claim that holds no answer: its request wrote nothing (an error, or a write
    rolled back), so the same key may be sent again. A completed claim is left as it is."""
    with db.engine.begin() as connection:
        connection.execute(delete(KEYS).where(KEYS.c.id == held.id, KEYS.c.state == "running"))


def forget_expired() -> int:
    """Remove keys older than 24 hours; how many went."""
    with db.engine.begin() as connection:
        return connection.execute(delete(KEYS).where(KEYS.c.created_at <= utcnow() - KEEP)).rowcount
