"""Time as the outbox keeps it."""
from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    """Now in UTC, naive as stored, to the microsecond (retries may be a fraction of a
    second apart in tests)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
