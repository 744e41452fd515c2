"""Slowing down password guessing, one atomic step per attempt, shared by every worker.

An attempt is counted before its password is checked: in one transaction that holds a lock
on each subject it counts against (`BEGIN IMMEDIATE` on SQLite, an advisory lock per subject
on PostgreSQL), the subjects' recent failures are counted and, within the limits, the attempt
is written. So simultaneous attempts on any number of workers and hosts cannot all pass the
check before any is counted. The row stays as a failure unless the sign-in succeeds.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import Connection, delete, insert, or_, select, text

from customers.extensions import db
from customers.models import LoginFailure
from customers.sqlite.writer_lock import one_writer_at_a_time


@dataclass(frozen=True)
class Limit:
    """At most `max_failures` failures of `subject` (`name:ana`, `address:10.0.0.1`) per window."""

    subject: str
    max_failures: int


@dataclass(frozen=True)
class Attempt:
    """An attempt let through (its rows, `wait` 0) or held back (`wait` seconds, no rows)."""

    wait: int = 0
    ids: list[int] = field(default_factory=list)


class Throttle:
    """A sliding window of failures per subject."""

    def __init__(self, window: float, clock: Callable[[], float] = time.time):
        # Wall-clock time: the workers, and the hosts, share it (a monotonic clock is per boot).
        self.window, self.clock = window, clock

    def attempt(self, limits: Sequence[Limit]) -> Attempt:
        """Count an attempt against every subject, unless one of them is over its limit."""
        with self._locked([limit.subject for limit in limits]) as connection:
            now = self.clock()
            connection.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - self.window))
            wait = max((self._wait(connection, limit, now) for limit in limits), default=0)
            if wait:
                return Attempt(wait=wait)
            ids = [connection.execute(insert(LoginFailure).values(subject=limit.subject, failed_at=now)
                                      .returning(LoginFailure.id)).scalar_one() for limit in limits]
        return Attempt(ids=ids)

    def succeeded(self, attempt: Attempt, forget: Sequence[str]) -> None:
        """The attempt was right: it is no failure, and the `forget` subjects start over."""
        with self._locked(forget) as connection:
            connection.execute(delete(LoginFailure).where(or_(
                LoginFailure.id.in_(attempt.ids), LoginFailure.subject.in_(forget))))

    def _wait(self, connection: Connection, limit: Limit, now: float) -> int:
        """Seconds until the oldest of the subject's last max_failures failures leaves the window."""
        recent = connection.scalars(
            select(LoginFailure.failed_at)
            .where(LoginFailure.subject == limit.subject, LoginFailure.failed_at > now - self.window)
            .order_by(LoginFailure.failed_at.desc())
            .limit(limit.max_failures)
        ).all()
        if len(recent) < limit.max_failures:
            return 0
        return max(1, math.ceil(recent[-1] + self.window - now))

    @contextmanager
    def _locked(self, subjects: Sequence[str]) -> Iterator[Connection]:
        """A transaction of its own that no other attempt on these subjects runs beside."""
        engine = db.engine
        with one_writer_at_a_time(engine), engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, taken now
            else:
                for subject in sorted(set(subjects)):  # one order everywhere: no deadlock
                    connection.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:s, 0))"),
                                       {"s": subject})
            yield connection
            connection.commit()


def password_subject(key: str) -> str:
    """What the password page's wrong current passwords count against: the person (by their
    name's key), apart from the sign-in's counts, which it never holds back."""
    return f"password:{key}"


def login_throttle() -> Throttle:
    """The app's sign-in throttle (its window; the counts are in the database)."""
    if "customers_login_throttle" not in current_app.extensions:
        window = current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"]
        current_app.extensions["customers_login_throttle"] = Throttle(window)
    return current_app.extensions["customers_login_throttle"]
