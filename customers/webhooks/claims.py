"""Taking a message to deliver, and recording how its delivery went.

A claim is a lease: the message is the worker's until `leased_until`, and a worker killed
while it holds one loses nothing, since the message is retaken when the lease runs out. On
PostgreSQL, workers on several hosts claim side by side (`FOR UPDATE SKIP LOCKED`); on SQLite
the claim is one UPDATE, and the database takes one writer at a time.
"""
from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import DateTime, Engine, bindparam, exists, func, or_, select
from sqlalchemy import update as sql_update

from customers.sqlite.writer_lock import one_writer_at_a_time
from customers.webhooks.models import DELIVERED, FAILED, PENDING, WebhookMessage
from customers.webhooks.settings import Settings
from customers.webhooks.times import now

MESSAGES = WebhookMessage.__table__
JITTER = (0.8, 1.2)  # a retry's delay is scaled by a random factor in this range


class Claim(NamedTuple):
    """A message this worker holds, with what its delivery needs."""

    id: int
    msg_id: str
    payload: str
    attempts: int  # this one included
    first_attempt_at: datetime
    lease_token: str


def _unleased(table, at):
    """No worker holds it (or its worker's lease ran out)."""
    return or_(table.c.leased_until.is_(None), table.c.leased_until <= at)


def _claim_statement():
    """UPDATE ... RETURNING that leases the oldest due, unclaimed message for a webhook whose
    record has no earlier message still waiting for it (a record's messages go out in
    version order), and counts the attempt. Built once: it is compiled once, then reused."""
    at = bindparam("at", type_=DateTime)
    candidate, earlier = MESSAGES.alias("candidate"), MESSAGES.alias("earlier")
    waiting_before = exists().where(
        earlier.c.webhook_id == candidate.c.webhook_id,
        earlier.c.customer_id == candidate.c.customer_id,
        earlier.c.id < candidate.c.id, earlier.c.state == PENDING)
    next_one = (select(candidate.c.id)
                .where(candidate.c.webhook_id == bindparam("for_webhook"),
                       candidate.c.state == PENDING, candidate.c.next_attempt_at <= at,
                       _unleased(candidate, at), ~waiting_before)
                .order_by(candidate.c.id).limit(1)
                .with_for_update(skip_locked=True)  # PostgreSQL; SQLite renders nothing
                .scalar_subquery())
    return (sql_update(MESSAGES)
            .where(MESSAGES.c.id == next_one, MESSAGES.c.state == PENDING,
                   _unleased(MESSAGES, at))
            .values(attempts=MESSAGES.c.attempts + 1, last_attempt_at=at,
                    first_attempt_at=func.coalesce(MESSAGES.c.first_attempt_at, at),
                    leased_until=bindparam("until", type_=DateTime),
                    lease_token=bindparam("new_token"))
            .returning(MESSAGES.c.id, MESSAGES.c.msg_id, MESSAGES.c.payload,
                       MESSAGES.c.attempts, MESSAGES.c.first_attempt_at,
                       MESSAGES.c.lease_token))


_CLAIM = _claim_statement()


def claim(engine: Engine, webhook_id: int, settings: Settings) -> Claim | None:
    """Lease the next message to deliver to this webhook, counting the attempt; None when
    nothing is due."""
    at = now()
    params = {"for_webhook": webhook_id, "at": at, "new_token": secrets.token_hex(16),
              "until": at + timedelta(seconds=settings.lease)}
    with one_writer_at_a_time(engine), engine.begin() as connection:
        row = connection.execute(_CLAIM, params).first()
    return None if row is None else Claim(*row)


def delivered(engine: Engine, held: Claim, status: int) -> None:
    """The receiver answered 2xx: the message is done."""
    _finish(engine, held, state=DELIVERED, last_status=status, last_error=None)


def attempt_failed(engine: Engine, held: Claim, status: int | None, error: str,
                   settings: Settings) -> None:
    """The receiver failed (an answer other than 2xx, a timeout, no connection): try again
    after an exponentially growing, jittered delay, or give up once past the retry window."""
    delay = settings.retry_base * 2 ** (held.attempts - 1) * random.uniform(*JITTER)
    retry_at = now() + timedelta(seconds=delay)
    if (retry_at - held.first_attempt_at).total_seconds() > settings.retry_for:
        _finish(engine, held, state=FAILED, last_status=status, last_error=error[:255])
    else:
        _finish(engine, held, state=PENDING, next_attempt_at=retry_at, last_status=status,
                last_error=error[:255])


def _finish(engine: Engine, held: Claim, **values) -> None:
    """End the claim with these values; nothing if the lease was lost (it ran out and another
    worker took the message: that worker's outcome counts)."""
    statement = (sql_update(MESSAGES)
                 .where(MESSAGES.c.id == held.id, MESSAGES.c.lease_token == held.lease_token)
                 .values(leased_until=None, lease_token=None, **values))
    with one_writer_at_a_time(engine), engine.begin() as connection:
        connection.execute(statement)
