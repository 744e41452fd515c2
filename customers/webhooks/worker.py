"""The delivery worker: a thread per webhook, so that a receiver that stalls holds back only
its own messages, never another receiver's (and never the API: it runs in its own process)."""
from __future__ import annotations

import logging
import threading
import time
from typing import NamedTuple

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from customers.webhooks import queue
from customers.webhooks.claims import attempt_failed, claim, delivered
from customers.webhooks.delivery import post
from customers.webhooks.models import Webhook
from customers.webhooks.settings import Settings

PURGE_EVERY_SECONDS = 3600.0
_log = logging.getLogger(__name__)


class Target(NamedTuple):
    """Where and how one webhook's messages go."""

    id: int
    url: str
    secret: str


def run(engine: Engine, settings: Settings, stop: threading.Event) -> None:
    """Deliver until `stop` is set: every poll, start a receiver thread for each new (or
    changed) webhook and stop those of removed ones; now and then purge old messages."""
    receivers: dict[int, Receiver] = {}
    purged_at = 0.0
    while not stop.is_set():
        try:
            targets = _targets(engine)
            if time.monotonic() - purged_at > PURGE_EVERY_SECONDS:
                queue.purge(engine, settings.retention_days)
                purged_at = time.monotonic()
        except SQLAlchemyError as error:  # the database is away: wait for it, do not die
            _log.warning("webhooks: cannot read the webhooks: %s", error)
            targets = {id: r.target for id, r in receivers.items()}
        for webhook_id in [id for id in receivers if receivers[id].target != targets.get(id)]:
            receivers.pop(webhook_id).stop.set()
        for webhook_id, target in targets.items():
            if webhook_id not in receivers or not receivers[webhook_id].is_alive():
                # New, or its thread died of a bug (threading logged it): start one again.
                receivers[webhook_id] = Receiver(engine, settings, target)
                receivers[webhook_id].start()
        stop.wait(settings.poll)
    for receiver in receivers.values():
        receiver.stop.set()
    for receiver in receivers.values():
        receiver.join()


def _targets(engine: Engine) -> dict[int, Target]:
    """Every webhook, by id."""
    table = Webhook.__table__
    with engine.connect() as connection:
        rows = connection.execute(select(table.c.id, table.c.url, table.c.secret)).all()
    return {row.id: Target(*row) for row in rows}


class Receiver(threading.Thread):
    """Delivers one webhook's messages, one at a time, oldest due first."""

    def __init__(self, engine: Engine, settings: Settings, target: Target) -> None:
        super().__init__(name=f"webhook {target.id}", daemon=True)
        self.engine, self.settings, self.target = engine, settings, target
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                busy = self.deliver_one()
            except SQLAlchemyError as error:
                _log.warning("webhooks: webhook %s: database error: %s", self.target.id, error)
                busy = False
            if not busy:
                self.stop.wait(self.settings.poll)

    def deliver_one(self) -> bool:
        """Claim, POST and record one message; False when none was due."""
        held = claim(self.engine, self.target.id, self.settings)
        if held is None:
            return False
        outcome = post(self.target.url, self.target.secret, held.msg_id, held.payload,
                       self.settings.timeout)
        if outcome.ok:
            delivered(self.engine, held, outcome.status)
        else:
            attempt_failed(self.engine, held, outcome.status, outcome.error or "", self.settings)
        _log.info("webhooks: %s to webhook %s, attempt %s: %s", held.msg_id, self.target.id,
                  held.attempts, outcome.status if outcome.ok else outcome.error)
        return True
