"""The worker's settings, read once from the app's configuration."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Defaults (the environment variables of the same names override them: customers/config.py).
DEFAULTS: dict[str, Any] = {
    "WEBHOOK_RETRY_BASE_SECONDS": 5.0,  # the first retry's delay; each next one doubles it
    "WEBHOOK_RETRY_FOR_SECONDS": 24 * 3600.0,  # then a message is failed (and redeliverable)
    "WEBHOOK_POLL_SECONDS": 1.0,  # how often an idle worker looks for due messages
    "WEBHOOK_TIMEOUT_SECONDS": 10.0,  # a receiver that has not answered by then has failed
    "WEBHOOK_LEASE_SECONDS": None,  # a claim's life; None: twice the timeout, plus 10 s
    "WEBHOOK_RETENTION_DAYS": 7.0,  # delivered and failed messages are kept this long
}


@dataclass(frozen=True)
class Settings:
    """How the worker retries, waits and claims."""

    retry_base: float
    retry_for: float
    poll: float
    timeout: float
    lease: float
    retention_days: float

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> "Settings":
        """The settings in an app's config (defaults for what it lacks)."""
        value = {key: config.get(key, default) for key, default in DEFAULTS.items()}
        timeout = float(value["WEBHOOK_TIMEOUT_SECONDS"])
        lease = value["WEBHOOK_LEASE_SECONDS"]
        lease = 2 * timeout + 10 if lease is None else float(lease)
        if lease <= timeout:
            # A claim that ended before its delivery could would let a second worker send
            # the same message at the same time, out of order.
            raise ValueError("WEBHOOK_LEASE_SECONDS must be longer than WEBHOOK_TIMEOUT_SECONDS")
        return cls(float(value["WEBHOOK_RETRY_BASE_SECONDS"]),
                   float(value["WEBHOOK_RETRY_FOR_SECONDS"]),
                   float(value["WEBHOOK_POLL_SECONDS"]), timeout, lease,
                   float(value["WEBHOOK_RETENTION_DAYS"]))
