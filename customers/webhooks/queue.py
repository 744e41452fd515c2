"""What is in the outbox: its depth and age, the latest messages, redelivery and purging."""
from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy import update as sql_update

from customers.sqlite.writer_lock import one_writer_at_a_time
from customers.webhooks.models import DELIVERED, FAILED, PENDING, WebhookMessage
from customers.webhooks.times import now

MESSAGES = WebhookMessage.__table__


class Depth(NamedTuple):
    """Messages waiting to be delivered, and how long the oldest has waited (seconds)."""

    pending: int
    oldest_age: float


def depth(engine: Engine) -> Depth:
    """The queue as it is now."""
    statement = (select(func.count(), func.min(MESSAGES.c.created_at))
                 .where(MESSAGES.c.state == PENDING))
    with engine.connect() as connection:
        count, oldest = connection.execute(statement).one()
    age = max(0.0, (now() - oldest).total_seconds()) if oldest is not None else 0.0
    return Depth(count, age)


def latest(engine: Engine, limit: int, failed_only: bool = False) -> list:
    """The newest messages first (only the failed ones, if asked)."""
    statement = select(MESSAGES).order_by(MESSAGES.c.id.desc()).limit(limit)
    if failed_only:
        statement = statement.where(MESSAGES.c.state == FAILED)
    with engine.connect() as connection:
        return list(connection.execute(statement))


def state_of(message) -> str:
    """A message's state as an operator reads it: pending, delivering (a worker holds it),
    retrying (it failed before), delivered or failed."""
    if message.state != PENDING:
        return message.state
    if message.leased_until is not None and message.leased_until > now():
        return "delivering"
    return "retrying" if message.attempts else PENDING


def redeliver(engine: Engine, msg_id: str) -> bool:
    """Queue a delivered or failed message again, at once, with a fresh retry window (and
    the same webhook-id, so a receiver that has it already knows); False if there is no such
    message or it is still queued."""
    statement = (sql_update(MESSAGES)
                 .where(MESSAGES.c.msg_id == msg_id, MESSAGES.c.state != PENDING)
                 .values(state=PENDING, attempts=0, next_attempt_at=now(),
                         first_attempt_at=None, leased_until=None, lease_token=None))
    with one_writer_at_a_time(engine), engine.begin() as connection:
        return connection.execute(statement).rowcount == 1


def purge(engine: Engine, retention_days: float) -> int:
    """Delete delivered and failed messages older than the retention; how many went."""
    cutoff = now() - timedelta(days=retention_days)
    statement = delete(MESSAGES).where(
        or_(MESSAGES.c.state == DELIVERED, MESSAGES.c.state == FAILED),
        MESSAGES.c.created_at < cutoff)
    with one_writer_at_a_time(engine), engine.begin() as connection:
        return connection.execute(statement).rowcount
