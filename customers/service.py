"""The only path to the customers table: read, create, update, trash, restore, revert,
import, purge and erase.

Every write runs in `_transaction()`: one database transaction, queued behind this
database's other writers. It locks the row, writes only what changed and hands one
`customers.changes.Change` to the journals (`journal()`: the history, the webhook outbox)
on the same connection; if an entry cannot be written, neither is the change.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from marshmallow import ValidationError
from sqlalchemy import ColumnElement, Connection, bindparam, insert, select
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlalchemy.exc import DataError, IntegrityError

from customers import history, search_index
from customers.changes import Change, Origin, differences
from customers.errors import ApiError
from customers.etag import ANY
from customers.extensions import db
from customers.idempotency import Claim
from customers.ids import MAX_VERSION, parse_id
from customers.models import IdempotencyKey, utcnow
from customers.record import COLUMNS, RECORD_COLUMNS, TABLE, CustomerRecord, record_of
from customers.schemas import WRITABLE
from customers.sqlite.writer_lock import one_writer_at_a_time
from customers.statements import Shape, statement_for
from customers.webhooks import outbox

if TYPE_CHECKING:
    from customers.imports import Plan

NEW_RECORD_ACTIONS = ("create", "import")  # a new record is indexed, even with no values
Expected = set[int] | str | None  # what If-Match allows: None (no check), ANY, or versions


class Locked(NamedTuple):
    """A record as a write's lock read found it, and whether that read saw any webhook
    registered (in the write's own transaction: no process keeps webhooks in memory)."""

    record: CustomerRecord
    webhooks: bool


def _locked(row: Any) -> Locked:
    """The record and the webhook flag of a row of `_LOCK`."""
    return Locked(record_of(row[:-1]), bool(row[-1]))


class Guard(Protocol):
    """Whatever proves the writer may still write (a live token), checked inside the write."""

    condition: ColumnElement[bool]  # holds while the proof does; goes into the WHERE

    @property
    def params(self) -> Mapping[str, Any]:
        """The condition's bound parameters."""

    def refusal(self) -> Exception:
        """What to raise when the condition no longer holds."""


_BY_ID = select(*RECORD_COLUMNS).where(TABLE.c.id == bindparam("pk"))
# The row a write is about to change, locked until its transaction ends (on SQLite the
# writer lock already lets one writer in at a time), and, last, whether any webhook is
# registered: when none is, the journals skip the webhook outbox (`Locked`).
_LOCK = _BY_ID.add_columns(outbox.ANY_WEBHOOK.label("any_webhook")).with_for_update(of=TABLE)
# A record's move into and out of the trash is a version of its own, by whoever moved it.
_MOVE = (sql_update(TABLE).where(TABLE.c.id == bindparam("pk"))
         .values(deleted_at=bindparam("deleted_at", type_=TABLE.c.deleted_at.type),
                 deleted_by=bindparam("deleted_by", type_=TABLE.c.deleted_by.type),
                 updated_at=bindparam("now", type_=TABLE.c.updated_at.type),
                 updated_by=bindparam("actor", type_=TABLE.c.updated_by.type),
                 version=TABLE.c.version + 1)
         .returning(*RECORD_COLUMNS))
_REMOVE = sql_delete(TABLE).where(TABLE.c.id.in_(bindparam("ids", expanding=True)))
_EXPIRED = (select(TABLE.c.id).where(TABLE.c.deleted_at.is_not(None),
                                     TABLE.c.deleted_at <= bindparam("before"))
            .order_by(TABLE.c.id).limit(bindparam("batch")))
PURGE_BATCH = 500


def get(customer_id: str, trashed: bool = False) -> CustomerRecord:
    """The live record with this id (with `trashed`, only one in the trash); 404 if not."""
    row = db.session.execute(_BY_ID, {"pk": primary_key(customer_id)}).first()
    if row is None:
        raise _not_found(customer_id)
    return _as_expected(record_of(row), trashed, 404)


def at_version(customer_id: str, version: int) -> CustomerRecord:
    """The record as it was at `version`, live or in the trash; 404 for a version it never
    had (or that history no longer holds: before history began, after purge or erasure)."""
    pk = primary_key(customer_id)
    with db.engine.connect() as connection:
        row = connection.execute(_BY_ID, {"pk": pk}).first()
        then = history.version_at(connection, pk, version) if row is not None else None
    if then is None:
        raise ApiError(404, f"Customer {customer_id[:64]!r} has no version {version}.")
    values, by, at = then
    return replace(record_of(row), **_fields(values), version=version, updated_by=by,
                   updated_at=at, deleted_at=None, deleted_by=None)


def timeline(customer_id: str, limit: int, start: int) -> tuple[list[dict[str, Any]], int]:
    """A page of a record's history, newest first, and how many entries it has; 404 for an
    id that never had a record (a deleted one still has its history)."""
    entries, total = history.timeline(primary_key(customer_id), limit, start)
    if total == 0:
        raise _not_found(customer_id)
    return entries, total


def create(fields: dict[str, Any], origin: Origin, claim: Claim | None = None) -> CustomerRecord:
    """Insert a record published now, owned by `origin.by`, with its journal entries; an
    Idempotency-Key's claim learns the answer in the same transaction."""
    now = utcnow()
    with _transaction() as connection:
        record = _insert(connection, fields, origin.by, now)
        journal(connection, _created("create", record, fields, origin, now))
        if claim is not None:
            claim.complete(connection, record)
    return record


def _insert(connection: Connection, fields: dict[str, Any], actor: str, now: Any) -> CustomerRecord:
    """INSERT one record published `now`, owned by `actor`."""
    values = {**{COLUMNS[name]: value for name, value in fields.items()},
              TABLE.c.published_at: now, TABLE.c.updated_at: now, TABLE.c.created_by: actor,
              TABLE.c.updated_by: actor, TABLE.c.version: 1}
    return record_of(connection.execute(insert(TABLE).values(values).returning(*RECORD_COLUMNS)).one())


def _created(action: str, record: CustomerRecord, fields: dict[str, Any], origin: Origin,
             now: Any) -> Change:
    """The change of a new record: every field given a value, from nothing."""
    changed = {name: (None, value) for name, value in fields.items() if value is not None}
    return Change(action, record, None, changed, origin.by, origin.via, origin.request_id, now)


def apply_import(changes: Plan, origin: Origin, claim: Claim | None = None) -> None:
    """Write an import's creates and merges in one transaction, each row journaled as an
    `import`: all of it or nothing (a record deleted since the rows were checked fails the
    whole import)."""
    now = utcnow()
    with _transaction() as connection:
        for fields in changes.creates:
            record = _insert(connection, fields, origin.by, now)
            journal(connection, _created("import", record, fields, origin, now))
        for pk, fields in changes.updates.items():
            row = connection.execute(_LOCK, {"pk": pk}).first()
            if row is None or row.deleted_at is not None:
                raise ApiError(409, f"Customer {pk} was deleted while the import was checked; "
                                    "nothing was imported.")
            _change_fields(connection, _locked(row), fields, origin, "import", now)
        if claim is not None:
            claim.complete(connection, changes.counts())


def _change_fields(connection: Connection, locked: Locked, fields: dict[str, Any],
                   origin: Origin, action: str, now: Any) -> CustomerRecord:
    """UPDATE the fields that differ from the locked record, with its journal entries; a
    change of nothing writes nothing."""
    current = locked.record
    before = writable(current)
    changed = differences(before, fields)
    if not changed:
        return current
    values = {name: new for name, (_, new) in changed.items()}
    statement = statement_for(Shape("update", frozenset(changed), None, None))
    written = connection.execute(statement, {
        "pk": current.id, "actor": origin.by, "now": now,
        **{f"new_{name}": value for name, value in values.items()}}).rowcount
    if written != 1:  # the row is locked: it is there, unless the database says otherwise
        raise RuntimeError(f"customer {current.id}: {written} rows updated, not 1")
    # The row as the UPDATE left it, without reading it back (a RETURNING of every column
    # cost 90,000 instructions of a PUT): the locked row, the values set, who, when, version.
    record = replace(current, **values, updated_by=origin.by, updated_at=now,
                     version=current.version + 1)
    journal(connection, Change(action, record, before, changed, origin.by, origin.via,
                               origin.request_id, now), locked.webhooks)
    return record


def update(customer_id: str, changes: dict[str, Any], origin: Origin, expected: Expected = None,
           guard: Guard | None = None) -> CustomerRecord:
    """Set the given fields (the rest stay), version-checked, and only while a `guard`
    holds; fields already so are not written, and a change of nothing writes nothing."""
    with _transaction() as connection:
        locked = _lock(connection, customer_id, expected, guard)
        return _change_fields(connection, locked, changes, origin, "update", utcnow())


def delete(customer_id: str, origin: Origin, expected: Expected = None,
           guard: Guard | None = None) -> CustomerRecord:
    """Move a record to the trash, version-checked, as a new version with its journal
    entries; return it as it was moved."""
    with _transaction() as connection:
        current, webhooks = _lock(connection, customer_id, expected, guard)
        now = utcnow()
        record = _move(connection, current, origin, now, deleted=True)
        journal(connection, Change("delete", record, writable(current), {}, origin.by,
                                   origin.via, origin.request_id, now), webhooks)
    return record


def restore(customer_id: str, origin: Origin, expected: Expected = None,
            guard: Guard | None = None) -> CustomerRecord:
    """Bring a record back from the trash with its id, as a new version; 409 if it is not
    in the trash."""
    with _transaction() as connection:
        current, webhooks = _lock(connection, customer_id, expected, guard, trashed=True)
        now = utcnow()
        record = _move(connection, current, origin, now, deleted=False)
        journal(connection, Change("restore", record, writable(current), {}, origin.by,
                                   origin.via, origin.request_id, now), webhooks)
    return record


def revert(customer_id: str, version: int, origin: Origin, expected: Expected = None,
           guard: Guard | None = None) -> CustomerRecord:
    """Give a live record the field values it had at `version`, as a new version (none when
    they are its values already); 404 for a version history does not hold."""
    with _transaction() as connection:
        locked = _lock(connection, customer_id, expected, guard)
        then = history.version_at(connection, locked.record.id, version)
        if then is None:
            raise ApiError(404, f"Customer {locked.record.id} has no version {version}.")
        return _change_fields(connection, locked, _fields(then[0]), origin, "revert", utcnow())


def purge(retention_days: float, now: Any = None) -> int:
    """Remove for good the records in the trash since more than `retention_days` before
    `now`; their history keeps who, when and which fields, not the values. How many went."""
    before = (now or utcnow()) - timedelta(days=retention_days)
    removed = 0
    while True:  # in batches: one short transaction each, however large the trash
        with _transaction() as connection:
            ids = list(connection.execute(_EXPIRED, {"before": before, "batch": PURGE_BATCH})
                       .scalars())
            if ids:
                history.blank(connection, ids)
                connection.execute(_REMOVE, {"ids": ids})
        removed += len(ids)
        if len(ids) < PURGE_BATCH:
            return removed


def erase(customer_id: str, origin: Origin) -> int:
    """The data subject's erasure: the record (live or in the trash) is removed, every value
    in its history blanked (who, when and which fields stay) and an `erase` entry added;
    the webhook outbox forgets its values too. Returns the erase entry's version."""
    with _transaction() as connection:
        row = connection.execute(_LOCK, {"pk": primary_key(customer_id)}).first()
        if row is None:
            raise _not_found(customer_id)
        current = _locked(row).record  # erasure rewrites past messages: the outbox runs
        now = utcnow()
        erased = replace(current, **dict.fromkeys(WRITABLE), version=current.version + 1,
                         updated_by=origin.by, updated_at=now)
        journal(connection, Change("erase", erased, None, {}, origin.by, origin.via,
                                   origin.request_id, now))
        history.blank(connection, [current.id])
        connection.execute(_REMOVE, {"ids": [current.id]})
        _forget_answers(connection, current.id)
    return erased.version


def _move(connection: Connection, current: CustomerRecord, origin: Origin, now: Any,
          deleted: bool) -> CustomerRecord:
    """Move the locked record into (or out of) the trash: a new version by `origin.by`."""
    return record_of(connection.execute(_MOVE, {
        "pk": current.id, "now": now, "actor": origin.by,
        "deleted_at": now if deleted else None, "deleted_by": origin.by if deleted else None,
    }).one())


def _forget_answers(connection: Connection, customer_id: int) -> None:
    """Stored Idempotency-Key answers that created this record hold its values: they go."""
    keys = IdempotencyKey.__table__
    connection.execute(sql_delete(keys).where(keys.c.headers.contains(
        f'/customers/{customer_id}"')))


def journal(connection: Connection, change: Change, webhooks: bool = True) -> None:
    """Hand the change to every journal, in its transaction: history, the webhook outbox
    (which sends each change exactly once; skipped when the transaction's lock read saw no
    webhook registered, `webhooks` False) and, when a field its texts are made of changed,
    the search index (a move into or out of the trash changes none, nor does a new date of
    birth; a record removed for good leaves the index by itself)."""
    history.append(connection, change)
    outbox.enqueue(connection, change, webhooks)
    if change.action in NEW_RECORD_ACTIONS or search_index.affected(change.changed):
        search_index.write(connection, change.record)


def writable(record: CustomerRecord) -> dict[str, Any]:
    """The writable field values of a record."""
    return {name: getattr(record, name) for name in WRITABLE}


def _lock(connection: Connection, customer_id: str, expected: Expected,
          guard: Guard | None, trashed: bool = False) -> Locked:
    """The record, locked for this transaction: the guard's refusal (a revoked token), 404
    for no record, 404 for one in the trash (with `trashed`: 409 for one not in it), 412
    when If-Match names none of its versions."""
    params = {"pk": primary_key(customer_id), **(guard.params if guard else {})}
    row = connection.execute(_lock_statement(guard), params).first()
    if row is None:
        if guard is not None and not connection.execute(select(guard.condition), params).scalar():
            raise guard.refusal()
        raise _not_found(customer_id)
    locked = _locked(row)
    record = _as_expected(locked.record, trashed, 409)
    if expected is not None and expected != ANY and record.version not in _allowed(expected):
        raise ApiError(412, "The record has changed since the version named in If-Match; "
                            "fetch it again and retry.")
    return locked


def _lock_statement(guard: Guard | None) -> Any:
    """The lock read, with the guard's condition in its WHERE: the guard is checked in the
    statement that locks the row. Built once per condition (a token guard has one), so each
    write costs a compiled-cache hit, not a new statement's cache key."""
    if guard is None:
        return _LOCK
    # Keyed by identity (a SQL expression's == builds SQL); the entry keeps the condition
    # alive, so its id is never another's.
    _condition, statement = _GUARDED_LOCKS.get(id(guard.condition), (None, None))
    if statement is None:
        statement = _LOCK.where(guard.condition)
        _GUARDED_LOCKS[id(guard.condition)] = (guard.condition, statement)
    return statement


_GUARDED_LOCKS: dict[int, tuple[Any, Any]] = {}


def _as_expected(record: CustomerRecord, trashed: bool, live_refusal: int) -> CustomerRecord:
    """The record if it is where it was looked for: live, or (`trashed`) in the trash. A
    trashed record looked for live is 404, saying how to restore it; a live one looked for
    in the trash is `live_refusal` (404 to read, 409 to restore)."""
    if record.deleted_at is not None and not trashed:
        raise ApiError(404, f"Customer {record.id} is in the trash (deleted "
                            f"{record.deleted_at.isoformat('T', 'seconds')}Z by "
                            f"{record.deleted_by}); it can be restored: POST "
                            f"/customers/{record.id}/restore, or Restore on the Deleted "
                            "customers page.")
    if record.deleted_at is None and trashed:
        raise ApiError(live_refusal, f"Customer {record.id} is not in the trash.")
    return record


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    """Every writable field's value from a history snapshot (as JSON carries them): the
    ones it does not name were null."""
    return {name: history.from_json(name, values.get(name)) for name in WRITABLE}


@contextmanager
def _transaction() -> Iterator[Connection]:
    """One transaction on a Core connection (no ORM session bookkeeping), queued behind this
    database's other writers; a value the database refuses is a validation error (422)."""
    engine = db.engine
    try:
        with engine.connect() as connection, one_writer_at_a_time(engine), connection.begin():
            yield connection
    except (DataError, IntegrityError) as error:
        raise ValidationError({"_schema": ["The database refused a value of this record."]}) from error


def _allowed(expected: Any) -> list[int]:
    """The versions If-Match names that a record can have."""
    return sorted(version for version in expected if version <= MAX_VERSION)


def primary_key(customer_id: str) -> int:
    """The integer key behind an API id; anything else names no record."""
    key = parse_id(customer_id)
    if key is None:
        raise _not_found(customer_id)
    return key


def _not_found(customer_id: str) -> ApiError:
    """404 naming the id asked for."""
    return ApiError(404, f"No customer with id {customer_id[:64]!r}.")
