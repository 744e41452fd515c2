"""The list's first page beside a large trash: 1,000,000 customers, then 100,000 of them
deleted, on SQLite and PostgreSQL, in-process (the Flask test client).

    .venv/bin/python bench/trash_list.py [--rows 1000000] [--requests 200] [--only sqlite|postgres]

For each database it seeds `--rows` customers (as bench/run.py does), then times the first
page of `GET /customers` (100 records and X-Total-Count) and of `GET /customers/deleted`:
with an empty trash; with every tenth record deleted; and with the oldest tenth (ids 1 to
100,000) deleted, where a list without the partial index of live records would step over
100,000 deleted rows before its first live one. It prints each median and its ratio to the
empty trash's. The goal (issue 12): the first page stays as fast (ratios near 1).
"""
from __future__ import annotations

import argparse
import sys

from inprocess import median_seconds, reader, scratch_database

TRASH = {
    "every tenth deleted": "id % 10 = 0",
    "oldest tenth deleted": "id <= :tenth",
}


def move(url: str, condition: str | None, rows: int) -> None:
    """Empty the trash, then move the records matching `condition` into it (in SQL: this is
    the list's cost that is measured, not the deletes'). On PostgreSQL the live counter's row
    trigger is off meanwhile and the counter counted once after: fired for each of 100,000
    rows in one transaction it updates one counter row 100,000 times, each update walking the
    versions the ones before left (it had not finished after many minutes)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as connection:
        if postgres:
            connection.execute(text("ALTER TABLE customers DISABLE TRIGGER customers_counter_trash"))
        connection.execute(text("UPDATE customers SET deleted_at = NULL, deleted_by = NULL "
                                "WHERE deleted_at IS NOT NULL"))
        if condition is not None:
            connection.execute(text("UPDATE customers SET deleted_at = '2026-11-30 12:00:00', "
                                    f"deleted_by = 'bench' WHERE {condition}"),
                               {"tenth": rows // 10})
        if postgres:
            connection.execute(text("ALTER TABLE customers ENABLE TRIGGER customers_counter_trash"))
            connection.execute(text("UPDATE counters SET value = (SELECT count(*) FROM customers "
                                    "WHERE deleted_at IS NULL) WHERE name = 'customers'"))
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def run(url: str, rows: int, requests: int) -> list[tuple[str, float, float]]:
    """(case, list median, trash median) for each state of the trash."""
    client, headers = reader(url)
    results = []
    for case, condition in {"empty trash": None, **TRASH}.items():
        move(url, condition, rows)
        listed = median_seconds(client, "/customers", headers, requests)
        trash = median_seconds(client, "/customers/deleted", headers, requests)
        results.append((case, listed, trash))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    for kind in ("sqlite", "postgres"):
        if args.only and kind != args.only:
            continue
        with scratch_database(kind, args.rows) as url:
            results = run(url, args.rows, args.requests)
        base = results[0][1]
        for case, listed, trash in results:
            print(f"{kind}, {args.rows:,} records, {case}: first page {listed * 1000:.2f} ms "
                  f"({listed / base:.2f}), the trash's first page {trash * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
