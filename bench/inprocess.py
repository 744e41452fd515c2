"""In-process timing for the benches that measure the service's own work: the app from the
factory on a database, a read token made with the operator's command, and medians of GETs
through the Flask test client (no server, no network, no other process's noise)."""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from databases import ROOT, drop_postgres, flask, postgres_database, sqlite_database

WARMUP = 20


@contextmanager
def scratch_database(kind: str, rows: int) -> Iterator[str]:
    """A fresh database of `kind` (sqlite or postgres) seeded with `rows` customers, as
    bench/run.py seeds them; its URL, and it is gone afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        url = sqlite_database(Path(folder), rows) if kind == "sqlite" else postgres_database(rows)
        try:
            yield url
        finally:
            if kind == "postgres":
                drop_postgres(url)


def reader(url: str) -> tuple[Any, dict[str, str]]:
    """A test client of the app on `url`, and the headers of a read token for it."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench")
    sys.path.insert(0, str(ROOT))
    from app import create_app

    token = flask(url, "tokens", "create", "bench", "--scope", "read").strip().splitlines()[-1]
    return create_app().test_client(), {"Authorization": f"Bearer {token}"}


def median_seconds(client: Any, path: str, headers: dict[str, str], requests: int,
                   check: Callable[[Any], bool] = lambda response: True) -> float:
    """Median time of `requests` GETs of `path` (after WARMUP uncounted); each answer must be
    200 and pass `check`."""
    times = []
    for number in range(requests + WARMUP):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or not check(response):
            raise RuntimeError(f"GET {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        if number >= WARMUP:
            times.append(elapsed)
    return statistics.median(times)
