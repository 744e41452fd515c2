"""What a change enqueues: one message per webhook subscribed to its event, written by the
change's own transaction (so a change that is made is delivered, and one rolled back is not)."""
from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import Connection, Integer, String, bindparam, cast, insert, literal, select
from sqlalchemy import update as sql_update

from customers.webhooks.models import PENDING, Webhook, WebhookMessage

CREATE, UPDATE, DELETE = "entry.create", "entry.update", "entry.delete"
EVENTS = (CREATE, UPDATE, DELETE)
MODEL = "customers"  # the payload's `model`, as Strapi names the collection

WEBHOOKS = Webhook.__table__
MESSAGES = WebhookMessage.__table__


def event_of(action: str, created: bool) -> str:
    """The Strapi event of a change: a restore brings back a record that receivers were told
    was deleted, so it is a create, as is an import row that made a record; revert, import of
    an existing record and update are updates; delete and erase are deletes."""
    if action in ("delete", "erase"):
        return DELETE
    if created or action == "restore":
        return CREATE
    return UPDATE


def payload(event: str, at: Any, entry: dict[str, Any]) -> str:
    """The body, as the reference system sends it, as the JSON text that will be signed."""
    document = {"event": event, "created_at": at.isoformat("T", "seconds") + "Z",
                "model": MODEL, "entry": entry}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


# One INSERT ... SELECT for every subscribed webhook (none: nothing is written, no round trip
# spent reading the webhooks first). Built once: executions reuse its compiled form.
_ENQUEUE = insert(MESSAGES).from_select(
    ["webhook_id", "msg_id", "event", "customer_id", "version", "payload", "created_at",
     "state", "attempts", "next_attempt_at"],
    select(WEBHOOKS.c.id,
           bindparam("msg_prefix", type_=String) + cast(WEBHOOKS.c.id, String),
           bindparam("event", type_=String), bindparam("customer_id", type_=Integer),
           bindparam("version", type_=Integer), bindparam("payload", type_=String),
           bindparam("at"), literal(PENDING), literal(0), bindparam("at"))
    .where(WEBHOOKS.c.events.contains(bindparam("event_framed", type_=String))),
)


# Whether any webhook is registered, for a statement the change runs anyway (the service's
# lock read): when none is, enqueue() has nothing to write, and neither dumps the record nor
# spends a round trip finding so.
ANY_WEBHOOK = select(WEBHOOKS.c.id).exists()


def enqueue(connection: Connection, change: Any, webhooks: bool = True) -> None:
    """Write the messages of one change (a customers.changes.Change) inside its transaction;
    `webhooks` False when this transaction already saw none registered (ANY_WEBHOOK)."""
    if not webhooks:
        return
    created = change.action == "create" or (change.action == "import" and change.before is None)
    write(connection, event_of(change.action, created), change.record, change.at,
          erased=change.action == "erase")


def write(connection: Connection, event: str, record: Any, at: Any, erased: bool = False) -> None:
    """Write the messages of `event` for `record` (as it is after the change), in the
    caller's transaction: one per webhook subscribed to the event."""
    from customers.schemas import customer_schema  # the API's view of a record

    entry = customer_schema.dump(record)
    if erased:
        _forget_values(connection, record.id, entry)
    connection.execute(_ENQUEUE, {
        "msg_prefix": f"msg_{secrets.token_hex(12)}_", "event": event,
        "event_framed": f",{event},", "customer_id": record.id, "version": record.version,
        "payload": payload(event, at, entry), "at": at})


def _forget_values(connection: Connection, customer_id: int, erased: dict[str, Any]) -> None:
    """An erased person's values leave the outbox too: every earlier message of the record,
    sent or not, carries the erased entry from now on (a pending one is still delivered, in
    order, so receivers that keep it learn nothing they should not)."""
    rows = connection.execute(select(MESSAGES.c.id, MESSAGES.c.payload)
                              .where(MESSAGES.c.customer_id == customer_id)).all()
    for message_id, text in rows:
        document = json.loads(text)
        document["entry"] = erased
        connection.execute(sql_update(MESSAGES).where(MESSAGES.c.id == message_id)
                           .values(payload=json.dumps(document, ensure_ascii=False,
                                                      separators=(",", ":"))))
