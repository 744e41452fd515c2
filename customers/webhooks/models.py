"""The webhooks operators register, and the outbox of messages to deliver to them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from customers.extensions import db

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


class Webhook(db.Model):
    """A receiver: where to POST, which events, and the secret that signs them."""

    __tablename__ = "webhooks"
    __table_args__ = {"sqlite_autoincrement": True}  # a removed webhook's id is not reused

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    # Comma-separated and comma-framed (",entry.create,entry.update,"): a LIKE finds one.
    events: Mapped[str] = mapped_column(String(255))
    secret: Mapped[str] = mapped_column(String(255))  # signs, so it is kept as it is
    created_at: Mapped[datetime] = mapped_column(DateTime)


class WebhookMessage(db.Model):
    """One event for one webhook: written in the change's transaction, then delivered.

    Its row id orders a record's messages (a record's changes are serialised by the database,
    so a later change commits, and numbers, after an earlier one)."""

    __tablename__ = "webhook_messages"
    __table_args__ = (
        # The worker's question: what is due for this webhook.
        Index("ix_webhook_messages_due", "webhook_id", "state", "next_attempt_at"),
        # Order: is an earlier message of this record to this webhook still pending?
        Index("ix_webhook_messages_record", "webhook_id", "customer_id", "id"),
        Index("ix_webhook_messages_state_created", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("webhooks.id", ondelete="CASCADE"))
    msg_id: Mapped[str] = mapped_column(String(64), unique=True)  # the webhook-id header
    event: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)  # the JSON body, exactly as signed
    created_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    first_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)  # HTTP status; None: no answer
    last_error: Mapped[str | None] = mapped_column(String(255))
    # A worker's claim: until this time, no other worker takes the message (then it is
    # retaken: a worker killed mid-delivery loses nothing). The token proves whose claim it is.
    leased_until: Mapped[datetime | None] = mapped_column(DateTime)
    lease_token: Mapped[str | None] = mapped_column(String(32))
