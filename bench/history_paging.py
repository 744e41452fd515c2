"""Paging a record's history: a record with 10,000 versions against one with 10, on SQLite
and PostgreSQL, in-process (the Flask test client), so only the service's own work is timed.

    .venv/bin/python bench/history_paging.py [--requests 300] [--only sqlite|postgres]

For each database it migrates a fresh one (as deployed), writes two records and their
entries straight into the tables (10 and 10,000 versions, each entry changing one field),
makes a read token, then alternates requests for a page of 10 entries of each history (with
X-Total-Count): the newest of each, and the oldest of the long one (`_start=9990`). It prints
the median time of each and their ratios to the short history's page (same page size, so the
same entries to encode: what differs is only how far the database must look).
The contract's goal: the ratio stays near 1 (the count is the span of two index lookups, the
page an index range).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys

from inprocess import median_seconds, reader, scratch_database

SIZES = (10, 10_000)
ROUND = 20  # requests of one case before the next case's turn


def seed(url: str) -> None:
    """Records 1 and 2 with SIZES entries each, every version changing the city."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    rows = [{"c": record, "v": version, "changes": json.dumps(
        {"addressCity": {"from": f"City {version - 1}", "to": f"City {version}"}})}
        for record, size in zip((1, 2), SIZES) for version in range(1, size + 1)]
    with engine.begin() as connection:
        connection.execute(text("UPDATE customers SET version = 10 WHERE id = 1"))
        connection.execute(text("UPDATE customers SET version = 10000 WHERE id = 2"))
        connection.execute(text(
            "INSERT INTO customer_history (customer_id, version, action, changed_at, changed_by, "
            "via, request_id, changes) VALUES (:c, :v, 'update', '2026-01-01 00:00:00', 'bench', "
            "'api', '-', :changes)"), rows)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def measure(url: str, requests: int) -> dict[str, float]:
    """Median seconds per request of each case (cases take turns, so each sees the same
    drift of the machine)."""
    client, headers = reader(url)
    cases = {"10 versions": "/customers/1/history?_limit=10",
             "10,000 versions, newest": "/customers/2/history?_limit=10",
             "10,000 versions, oldest": "/customers/2/history?_limit=10&_start=9990"}
    times: dict[str, list[float]] = {case: [] for case in cases}
    for _ in range(requests // ROUND):
        for case, path in cases.items():
            times[case].append(median_seconds(client, path, headers, ROUND, _ten_entries))
    return {case: statistics.median(values) for case, values in times.items()}


def _ten_entries(response) -> bool:
    return len(response.get_json()) == 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    for kind in ("sqlite", "postgres"):
        if args.only and kind != args.only:
            continue
        with scratch_database(kind, 2) as url:
            seed(url)
            medians = measure(url, args.requests)
        short = medians["10 versions"]
        shown = ", ".join(f"{case} {value * 1000:.2f} ms ({value / short:.2f})"
                          for case, value in medians.items())
        print(f"{kind}: a page of 10 entries, median of {args.requests}: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
