"""Webhooks in tests: an app with quick retries, webhooks added as an operator would, and the
delivery worker run in a thread of the test."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from customers.extensions import db
from customers.webhooks import worker
from customers.webhooks.settings import Settings

# Retries a tenth of a second apart, a worker that looks every 50 ms, a receiver that has
# not answered within a second has failed (and its claim lasts 2 s).
QUICK = {"WEBHOOK_RETRY_BASE_SECONDS": 0.1, "WEBHOOK_POLL_SECONDS": 0.05,
         "WEBHOOK_TIMEOUT_SECONDS": 1.0, "WEBHOOK_LEASE_SECONDS": 2.0}


def add_webhook(app: Flask, url: str, *options: str) -> str:
    """`flask webhooks add URL ...`; the secret (the last line when none was given)."""
    result = app.test_cli_runner().invoke(args=["webhooks", "add", url, *options])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def cli(app: Flask, *args: str) -> str:
    """`flask webhooks ...`; its output (the command must succeed)."""
    result = app.test_cli_runner().invoke(args=["webhooks", *args])
    assert result.exit_code == 0, result.output
    return result.output


@contextmanager
def running_worker(app: Flask) -> Iterator[None]:
    """The delivery worker, running until the block ends."""
    with app.app_context():
        engine, settings = db.engine, Settings.of(app.config)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(engine, settings, stop), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the worker did not stop"
