"""`flask webhooks ...`: register receivers, watch the outbox, run the delivery worker."""
from __future__ import annotations

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from customers.extensions import db
from customers.webhooks import queue, registry, worker
from customers.webhooks.outbox import EVENTS
from customers.webhooks.settings import Settings

webhooks_cli = AppGroup("webhooks", help="Webhooks: receivers, the outbox, the delivery worker.")


@webhooks_cli.command("add")
@click.argument("url")
@click.option("--events", default=",".join(EVENTS), show_default=True,
              help="Comma-separated events to send.")
@click.option("--secret", help="A whsec_... signing secret (a new one is made when not given).")
def add(url: str, events: str, secret: str | None) -> None:
    """Register a webhook; a generated secret is printed once, alone on the last line."""
    try:
        webhook, key = registry.add(url, [e.strip() for e in events.split(",") if e.strip()],
                                    secret)
    except registry.Refused as error:
        raise click.ClickException(str(error)) from None
    subscribed = ",".join(registry.events_of(webhook))
    if secret:
        click.echo(f"webhook {webhook.id} for {webhook.url} ({subscribed}), with the secret given")
        return
    click.echo(f"webhook {webhook.id} for {webhook.url} ({subscribed}); "
               "its signing secret, for the receiver, is below:")
    click.echo(key)


@webhooks_cli.command("list")
def list_webhooks() -> None:
    """Every webhook, without secrets."""
    for webhook in registry.every():
        click.echo(f"{webhook.id}\t{webhook.url}\t{','.join(registry.events_of(webhook))}")


@webhooks_cli.command("remove")
@click.argument("webhook_id", type=int)
def remove(webhook_id: int) -> None:
    """Remove a webhook and its undelivered messages."""
    if not registry.remove(webhook_id):
        raise click.ClickException(f"no webhook with id {webhook_id}")
    click.echo(f"removed webhook {webhook_id}")


@webhooks_cli.command("deliveries")
@click.option("--failed", is_flag=True, help="Only the messages that were given up on.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
def deliveries(failed: bool, limit: int) -> None:
    """The queue's depth and oldest age, then the latest messages, newest first."""
    waiting = queue.depth(db.engine)
    click.echo(f"queue: {waiting.pending} pending, oldest {waiting.oldest_age:.0f} s old")
    for message in queue.latest(db.engine, limit, failed):
        last = message.last_status if message.last_status is not None else (message.last_error or "-")
        click.echo(f"{message.msg_id}\t{message.event}\t{message.customer_id}\t"
                   f"{queue.state_of(message)}\t{message.attempts}\t{last}\t"
                   f"webhook {message.webhook_id}")


@webhooks_cli.command("redeliver")
@click.argument("msg_id")
def redeliver(msg_id: str) -> None:
    """Queue a delivered or failed message again (its webhook-id stays the same)."""
    if not queue.redeliver(db.engine, msg_id):
        raise click.ClickException(f"no delivered or failed message {msg_id!r}")
    click.echo(f"queued {msg_id} again")


@webhooks_cli.command("run")
def run() -> None:
    """The delivery worker: runs until SIGTERM or SIGINT (then finishes the POSTs under way)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    settings = Settings.of(current_app.config)
    click.echo(f"webhooks worker: polling every {settings.poll:g} s", err=True)
    worker.run(db.engine, settings, stop)
