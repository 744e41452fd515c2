"""The webhook queue in /metrics: its depth and the age of its oldest message.

Read from the database at scrape time, so every worker and host reports the same figures.
"""
from __future__ import annotations

from prometheus_client import Gauge

from customers import metrics
from customers.extensions import db
from customers.webhooks import queue

DEPTH = Gauge("customers_webhook_queue_depth", "Webhook messages waiting to be delivered.",
              multiprocess_mode="mostrecent")
OLDEST_AGE = Gauge("customers_webhook_queue_oldest_age_seconds",
                   "How long the oldest webhook message still waiting has waited.",
                   multiprocess_mode="mostrecent")


@metrics.on_scrape
def read_queue() -> None:
    """Set both gauges from the outbox as it is now."""
    depth = queue.depth(db.engine)
    DEPTH.set(depth.pending)
    OLDEST_AGE.set(depth.oldest_age)
