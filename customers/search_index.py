"""The search index: each record's search texts (customers/search_text.py) in a text index of
its database, and the conditions that find records through it.

SQLite keeps them in an FTS5 table with the trigram tokenizer (`customer_search`, its rowid
the customer's id); PostgreSQL in a table of the same name with a pg_trgm GIN index on each
text (migration 0008). The texts are folded before they are stored, so both indexes compare
characters as they are (case-sensitive trigrams), and SQLite's FTS5 needs no accent folding
of its own. The service writes a record's texts in the transaction of each change (`write`);
a record removed for good leaves the index in the same statement (triggers of migration
0008).

A trigram index cannot look up a term shorter than three characters: such a term is found by
a scan of the indexed texts instead, with the same answers, only slower.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, column, func, literal_column, select, table, text

from customers.models import Customer
from customers.record import COLUMNS, TABLE
from customers.search_text import FOLDED, SEARCHED, exact_text, folded_text

NAME = "customer_search"
TEXTS = ("exact", "folded")
TRIGRAM = 3  # the shortest term a trigram index can look up
# SQLite's FTS5 table (and the shadow tables FTS5 makes for it) and PostgreSQL's table are
# the database's own: no model describes them (tests/test_migrations.py ignores them).
OWN_TABLES = (NAME, *(f"{NAME}_{part}" for part in ("config", "content", "data", "docsize", "idx")))
_FTS = table(NAME, column("rowid"), *map(column, TEXTS))
_TABLE = table(NAME, column("customer_id"), *map(column, TEXTS))
_WRITE = {
    "sqlite": text(f"INSERT OR REPLACE INTO {NAME} (rowid, exact, folded) VALUES (:id, :exact, :folded)"),
    "postgresql": text(f"INSERT INTO {NAME} (customer_id, exact, folded) VALUES (:id, :exact, :folded) "
                       "ON CONFLICT (customer_id) DO UPDATE SET exact = EXCLUDED.exact, folded = EXCLUDED.folded"),
}
# What the texts are made of, under the field names; these columns are as old as the table.
_SEARCHED_COLUMNS = (TABLE.c.id.label("id"), *(COLUMNS[name].label(name) for name in SEARCHED))


# What a record's texts are made of, besides its id (which never changes): a change of no
# other field leaves them as they are (search_text.py's texts read SEARCHED and FOLDED).
INDEXED_FIELDS = frozenset(SEARCHED) | frozenset(FOLDED)


def affected(changed: Iterable[str]) -> bool:
    """Whether a change of these fields changes a record's texts (and so its index row)."""
    return not INDEXED_FIELDS.isdisjoint(changed)


def write(connection: Connection, record: Any) -> None:
    """Index a record's current values, replacing what the index held for it."""
    connection.execute(_WRITE[connection.dialect.name], _texts(record))


def rebuild(connection: Connection, batch: int = 5000) -> int:
    """Index every record anew (after rows were written around the service, such as a bulk
    load in SQL); how many were indexed. On PostgreSQL no write may slip in meanwhile (on
    SQLite the caller's transaction is the one writer already).

    The index is emptied, then filled. SQLite's FTS5 table is made again from its own
    definition (deleting its rows one by one took longer than filling the new table);
    readers keep their snapshot of the old one until the commit. On
    PostgreSQL the rows are deleted, not truncated, and the trigram indexes stay: TRUNCATE or
    DROP INDEX would hold every search back until the commit, not only the writes."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("LOCK TABLE customers IN SHARE MODE"))
        connection.execute(text(f"DELETE FROM {NAME}"))
    else:
        definition = connection.execute(text(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :table"),
            {"table": NAME}).scalar_one()
        connection.execute(text(f"DROP TABLE {NAME}"))
        connection.execute(text(definition))
    done, last = 0, 0
    while True:
        rows = connection.execute(select(*_SEARCHED_COLUMNS).where(TABLE.c.id > last)
                                  .order_by(TABLE.c.id).limit(batch)).all()
        if not rows:
            break
        connection.execute(_WRITE[dialect], [_texts(row) for row in rows])
        done, last = done + len(rows), rows[-1].id
    return done


def _texts(record: Any) -> dict[str, Any]:
    """The index row of a record."""
    return {"id": record.id, "exact": exact_text(record), "folded": folded_text(record)}


@dataclass(frozen=True)
class Lookup:
    """An FTS5 MATCH to join the records to: its rows come in rowid (the id) order."""

    table: Any
    key: Any  # the index's rowid, which is the customer's id
    condition: ColumnElement[bool]  # the MATCH


def lookup(dialect: str, which: str, terms: Sequence[str]) -> tuple[Lookup | None, list[Any]]:
    """What finds the records whose text holds every term: on SQLite, when a term is long
    enough for trigrams, the MATCH to join to and the scans of the short terms; otherwise
    no join and one condition (`containing`)."""
    if dialect != "sqlite" or all(len(term) < TRIGRAM for term in terms):
        return None, [containing(dialect, which, terms)]
    match, *short = _sqlite_terms(which, terms)
    return Lookup(_FTS, _FTS.c.rowid, match), short


def containing(dialect: str, which: str, terms: Sequence[str]) -> ColumnElement[bool]:
    """Records whose `exact` or `folded` text holds every term (each already lowered or
    folded as that text is)."""
    if dialect == "sqlite":
        return Customer.id.in_(select(_FTS.c.rowid).where(*_sqlite_terms(which, terms)))
    return Customer.id.in_(select(_TABLE.c.customer_id).where(
        *(_TABLE.c[which].like(f"%{_escape_like(term)}%", escape="/") for term in terms)))


def _sqlite_terms(which: str, terms: Sequence[str]) -> list[ColumnElement[bool]]:
    """One FTS5 MATCH of every long term (each a phrase: its trigrams one after another, a
    substring), and a scan for each short one."""
    long = [term for term in terms if len(term) >= TRIGRAM]
    found = [func.instr(_FTS.c[which], term) > 0 for term in terms if len(term) < TRIGRAM]
    if long:
        phrases = " AND ".join(f'{which} : "{term.replace(chr(34), chr(34) * 2)}"' for term in long)
        found.insert(0, literal_column(NAME).op("MATCH")(phrases))
    return found


def _escape_like(term: str) -> str:
    """A LIKE pattern's plain characters: `%`, `_` and the escape itself are escaped."""
    return term.replace("/", "//").replace("%", "/%").replace("_", "/_")
