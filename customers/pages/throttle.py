"""Slowing down password guessing: failed sign-ins counted per account and per address."""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

from flask import current_app

# Bounds the memory an attacker can make us spend by inventing names.
MAX_KEYS = 10_000


class Throttle:
    """A sliding window of failures per key; a key with too many is blocked for a while."""

    def __init__(self, max_failures: int, window: float,
                 clock: Callable[[], float] = time.monotonic):
        self.max_failures, self.window, self.clock = max_failures, window, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, keys: Iterable[str]) -> int:
        """Seconds until every key may try again; 0 when none is blocked."""
        with self._lock:
            now = self.clock()
            waits = [self._wait(key, now) for key in keys]
        return max(waits, default=0)

    def failed(self, keys: Iterable[str]) -> None:
        """Count one failure against every key."""
        with self._lock:
            now = self.clock()
            for key in keys:
                failures = self._failures.pop(key, None) or deque(maxlen=self.max_failures)
                failures.append(now)
                self._failures[key] = failures  # reinserted: the most recent failure is last
            self._evict(now)

    def succeeded(self, key: str) -> None:
        """Forget a key's failures (the account's, never the address's)."""
        with self._lock:
            self._failures.pop(key, None)

    def _wait(self, key: str, now: float) -> int:
        """Until the oldest of the last max_failures failures leaves the window."""
        recent = [t for t in self._failures.get(key, ()) if t > now - self.window]
        if len(recent) < self.max_failures:
            return 0
        return max(1, math.ceil(recent[-self.max_failures] + self.window - now))

    def _evict(self, now: float) -> None:
        """Past MAX_KEYS, drop expired keys, then the least recently failed."""
        if len(self._failures) <= MAX_KEYS:
            return
        for key in [k for k, f in self._failures.items() if not f or f[-1] <= now - self.window]:
            del self._failures[key]
        while len(self._failures) > MAX_KEYS:
            del self._failures[next(iter(self._failures))]


def login_throttle() -> Throttle:
    """The app's sign-in throttle (one per process: each gunicorn worker counts alone)."""
    if "customers_login_throttle" not in current_app.extensions:
        config = current_app.config
        current_app.extensions["customers_login_throttle"] = Throttle(
            config["LOGIN_MAX_FAILURES"], config["LOGIN_FAILURE_WINDOW_SECONDS"])
    return current_app.extensions["customers_login_throttle"]
