"""Slowing down password guessing: failed sign-ins counted per account and per address.

The failures are rows of `login_failures`: every gunicorn worker, and every host on the same
database, counts the same ones (in memory, N workers allowed N times the attempts).
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable

from flask import current_app
from sqlalchemy import delete, select

from customers.extensions import db
from customers.models import LoginFailure


class Throttle:
    """A sliding window of failures per key; a key with too many is blocked for a while."""

    def __init__(self, max_failures: int, window: float, clock: Callable[[], float] = time.time):
        # Wall-clock time: the workers, and the hosts, share it (a monotonic clock is per boot).
        self.max_failures, self.window, self.clock = max_failures, window, clock

    def wait(self, keys: Iterable[str]) -> int:
        """Seconds until every key may try again; 0 when none is blocked."""
        now = self.clock()
        return max((self._wait(key, now) for key in keys), default=0)

    def failed(self, keys: Iterable[str]) -> None:
        """Count one failure against every key (and forget those past the window)."""
        now = self.clock()
        db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - self.window))
        db.session.add_all(LoginFailure(subject=key, failed_at=now) for key in keys)
        db.session.commit()

    def succeeded(self, key: str) -> None:
        """Forget a key's failures (the account's, never the address's)."""
        db.session.execute(delete(LoginFailure).where(LoginFailure.subject == key))
        db.session.commit()

    def _wait(self, key: str, now: float) -> int:
        """Until the oldest of the last max_failures failures leaves the window."""
        recent = db.session.scalars(
            select(LoginFailure.failed_at)
            .where(LoginFailure.subject == key, LoginFailure.failed_at > now - self.window)
            .order_by(LoginFailure.failed_at.desc())
            .limit(self.max_failures)
        ).all()
        if len(recent) < self.max_failures:
            return 0
        return max(1, math.ceil(recent[-1] + self.window - now))


def login_throttle() -> Throttle:
    """The app's sign-in throttle (its settings; the counts are in the database)."""
    if "customers_login_throttle" not in current_app.extensions:
        config = current_app.config
        current_app.extensions["customers_login_throttle"] = Throttle(
            config["LOGIN_MAX_FAILURES"], config["LOGIN_FAILURE_WINDOW_SECONDS"])
    return current_app.extensions["customers_login_throttle"]
