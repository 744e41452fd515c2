"""Database tables: customers, API tokens and the people who sign in."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask_login import UserMixin
from sqlalchemy import JSON, BigInteger, Date, DateTime, Float, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from customers.extensions import db

TEXT_LENGTH = 255


def utcnow() -> datetime:
    """Now in UTC, naive, as every timestamp is stored."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


class Customer(db.Model):
    """A customer record; attribute names are the API's field names."""

    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_uuid", "uuid"),
        Index("ix_customers_reference_id", "reference_id"),
        # The list and the trash page by id through these: a first page skips no deleted
        # rows however many there are (migration 0006).
        Index("ix_customers_live", "id", sqlite_where=text("deleted_at IS NULL"),
              postgresql_where=text("deleted_at IS NULL")),
        Index("ix_customers_trash", "id", sqlite_where=text("deleted_at IS NOT NULL"),
              postgresql_where=text("deleted_at IS NOT NULL")),
        # The trash page, newest deletion first: the index read backwards (migration 0010).
        Index("ix_customers_deleted_at", "deleted_at", "id",
              sqlite_where=text("deleted_at IS NOT NULL"),
              postgresql_where=text("deleted_at IS NOT NULL")),
        # The list's enum filters: the count of the matches read from the index, and their
        # first page in id order (migration 0009).
        Index("ix_customers_gender", "gender", "id", sqlite_where=text("deleted_at IS NULL"),
              postgresql_where=text("deleted_at IS NULL")),
        Index("ix_customers_marital_status", "marital_status", "id",
              sqlite_where=text("deleted_at IS NULL"), postgresql_where=text("deleted_at IS NULL")),
        # Ids are never reused: history outlives a removed record.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))
    referenceId: Mapped[str | None] = mapped_column("reference_id", String(TEXT_LENGTH))
    dateOfBirth: Mapped[date | None] = mapped_column("date_of_birth", Date)
    addressStreet: Mapped[str | None] = mapped_column("address_street", String(TEXT_LENGTH))
    addressNeighborhood: Mapped[str | None] = mapped_column(
        "address_neighborhood", String(TEXT_LENGTH)
    )
    addressCity: Mapped[str | None] = mapped_column("address_city", String(TEXT_LENGTH))
    addressState: Mapped[str | None] = mapped_column("address_state", String(TEXT_LENGTH))
    addressCountry: Mapped[str | None] = mapped_column("address_country", String(TEXT_LENGTH))
    gender: Mapped[str | None] = mapped_column(String(32))
    maritalStatus: Mapped[str | None] = mapped_column("marital_status", String(32))
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))
    updated_by: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Bumped by every write; the ETag and If-Match compare against it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Set while the record is in the trash; cleared by a restore.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(TEXT_LENGTH))


class HistoryEntry(db.Model):
    """One change of one customer (customers/history.py): numbered by the record's version
    after the change, 1, 2, 3... without gaps. Kept after the record is removed, so there
    is no foreign key."""

    __tablename__ = "customer_history"

    customer_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column("changed_at", DateTime)
    by: Mapped[str] = mapped_column("changed_by", String(TEXT_LENGTH))
    via: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str] = mapped_column(String(128))
    # {field: {"from": old, "to": new}}, as the API shows it.
    changes: Mapped[dict] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))


class Counter(db.Model):
    """A row count kept exact by database triggers (migration 0002): `customers` is the
    number of customers, so an unfiltered total costs one lookup, not a scan."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class Token(db.Model):
    """An API bearer token; only the SHA-256 of its secret is kept."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(TEXT_LENGTH))
    scope: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class User(UserMixin, db.Model):
    """A person who signs in to the HTML pages, with a role (customers.roles)."""

    __tablename__ = "users"
    # AUTOINCREMENT on SQLite: a removed person's id is never given to the next one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(TEXT_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(TEXT_LENGTH))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    # Part of every session cookie (get_id); bumping it ends all of the person's sessions.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime)

    def get_id(self) -> str:
        """What the session cookie keeps: the id and the session generation."""
        return f"{self.id}:{self.session_generation}"

    @property
    def is_active(self) -> bool:
        """A disabled person cannot sign in, and their sessions are refused."""
        return self.disabled_at is None


class LoginFailure(db.Model):
    """A failed sign-in, counted against one subject (an account's name or a client address)
    by the sign-in throttle. Kept in the database, so every worker counts the same ones."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_subject_failed_at", "subject", "failed_at"),
        Index("ix_login_failures_failed_at", "failed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    failed_at: Mapped[float] = mapped_column(Float)  # Unix time, seconds


class IdempotencyKey(db.Model):
    """An Idempotency-Key a token sent with a POST, and the first answer to it (kept 24 hours;
    customers/idempotency.py)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        Index("ix_idempotency_keys_token_key", "token_id", "key", unique=True),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_id: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(TEXT_LENGTH))
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # running, done
    status: Mapped[int | None] = mapped_column(Integer)
    headers: Mapped[str | None] = mapped_column(Text)  # the answer's Location and ETag, as JSON
    payload: Mapped[str | None] = mapped_column(Text)  # the answer's payload, as JSON
    created_at: Mapped[datetime] = mapped_column(DateTime)
    claimed_at: Mapped[datetime] = mapped_column(DateTime)
