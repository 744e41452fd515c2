"""Benchmark databases: created, migrated as deployed (`flask db upgrade`), seeded in SQL."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
# After bench/ itself: the project root, for the servers module bench shares with the tests.
sys.path.insert(1, str(ROOT))
from tests.servers import BIN, server_environment  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

COLUMNS = ("uuid, reference_id, date_of_birth, address_street, address_neighborhood, address_city, "
           "address_state, address_country, gender, marital_status, published_at, created_by, "
           "updated_by, updated_at, version")
# One statement makes every row (no per-row round trips); each referenceId names 10 rows.
SQLITE_SEED = f"""
INSERT INTO customers ({COLUMNS})
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :rows)
SELECT printf('%08x-0000-4000-8000-%012x', i, i), 'ref-' || (i % :refs),
       date('1940-01-01', '+' || (i % 25000) || ' days'), 'Rua ' || i, 'Bairro ' || (i % 500),
       'Cidade ' || (i % 5000), 'PE', 'Brasil',
       CASE i % 3 WHEN 0 THEN 'male' WHEN 1 THEN 'female' ELSE 'other' END,
       CASE i % 2 WHEN 0 THEN 'single' ELSE 'married' END,
       '2024-01-01 00:00:00.000000', 'seed', 'seed', '2024-01-01 00:00:00.000000', 1
FROM n
"""
POSTGRES_SEED = f"""
INSERT INTO customers ({COLUMNS})
SELECT lpad(to_hex(i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(i), 12, '0'),
       'ref-' || mod(i, %(refs)s), date '1940-01-01' + mod(i, 25000), 'Rua ' || i,
       'Bairro ' || mod(i, 500), 'Cidade ' || mod(i, 5000), 'PE', 'Brasil',
       (ARRAY['male', 'female', 'other'])[mod(i, 3) + 1],
       (ARRAY['single', 'married'])[mod(i, 2) + 1],
       timestamp '2024-01-01', 'seed', 'seed', timestamp '2024-01-01', 1
FROM generate_series(1, %(rows)s) AS i
"""


def references(rows: int) -> int:
    """How many distinct referenceIds a seed of `rows` makes (10 rows each)."""
    return max(rows // 10, 1)


def environment(database_url: str) -> dict[str, str]:
    """What a deployed server gets: the database and a secret key, no debug."""
    return server_environment(database_url, SECRET_KEY=os.urandom(16).hex())


def flask(database_url: str, *args: str, root: Path = ROOT) -> str:
    """`flask --app app ...` as an operator runs it in the tree at `root`; its output."""
    result = subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=root, text=True,
                            env=environment(database_url), capture_output=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def sqlite_database(folder: Path, rows: int, root: Path = ROOT) -> str:
    """A SQLite file with `rows` customers, migrated by the tree at `root`; its URL."""
    path = folder / f"customers-{rows}.sqlite3"
    url = f"sqlite:///{path}"
    flask(url, "db", "upgrade", root=root)
    connection = sqlite3.connect(path)
    try:
        with connection:  # one transaction each
            connection.execute(SQLITE_SEED, {"rows": rows, "refs": references(rows)})
        with connection:
            connection.execute("ANALYZE")
    finally:
        connection.close()  # the last connection out folds the WAL into the database
    os.sync()  # the seed's pages on disk now, not written back by the kernel during a run
    return url


def postgres_database(rows: int) -> str:
    """A fresh, migrated PostgreSQL database with `rows` customers; its URL."""
    name = f"customers_bench_{rows}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    flask(url.replace("postgresql://", "postgresql+psycopg://", 1), "db", "upgrade")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(POSTGRES_SEED, {"rows": rows, "refs": references(rows)})
        connection.execute("VACUUM ANALYZE customers")
        connection.execute("CHECKPOINT")  # flush the seed now, not spread over the runs
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def drop_postgres(url: str) -> None:
    """Remove a benchmark database."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def write_token(database_url: str, root: Path = ROOT) -> str:
    """A new write token, made with the operator's command (its secret is the last line)."""
    output = flask(database_url, "tokens", "create", "bench", "--scope", "write", root=root)
    return output.strip().splitlines()[-1]
