"""The list's search and filters at scale: first pages with their total, against the first
page of everyone (issue 14's target: within twice its time).

    .venv/bin/python bench/search.py                         # 1,000,000 customers, both databases
    .venv/bin/python bench/search.py --rows 100000 --databases sqlite --requests 10

For each database it seeds `--rows` customers as bench/run.py does (bench/databases.py), gives
them five cities, one each in turn (so `recife` and `São Paulo` each match a fifth), indexes
them with `flask search rebuild` (the seed is SQL, written around the service), makes a
person and a read token, and starts `gunicorn wsgi:app` (2 workers). Then, one request at a
time (`--requests` of each after two unmeasured), it times:

- pages, signed in: the list's first page of everyone, of the search `recife`, of the search
  `sao paulo` (two words, no accent typed), and of the filter `gender=female` (a third);
- the API: `GET /customers` (its first 100 with X-Total-Count) of everyone, and of `_q=recife`.

Every answer must be a 200 that holds its total. It prints each case's median and 90th
percentile in milliseconds and its median over the unfiltered one of its kind, and exits 2
when one is over 2.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import databases  # noqa: E402
from databases import ROOT, environment, flask  # noqa: E402

from tests.servers import BIN, gunicorn  # noqa: E402

PASSWORD = "a long bench passphrase"
SET_CITIES = ("UPDATE customers SET address_city = CASE id % 5 WHEN 0 THEN 'Recife' WHEN 1 THEN "
              "'Olinda' WHEN 2 THEN 'São Paulo' WHEN 3 THEN 'Caruaru' ELSE 'Jaboatão' END")
PAGES = {"page: everyone": "", "page: search recife": "_q=recife",
         "page: search sao paulo": "_q=sao+paulo", "page: gender=female": "gender=female"}
API = {"api: everyone": "", "api: _q=recife": "_q=recife"}
TARGET = 2.0


def main() -> int:
    options = arguments()
    folder = Path(tempfile.mkdtemp(prefix="customers-search-bench-"))
    missed = False
    for database in options.databases.split(","):
        url = seed(database, options.rows, folder)
        try:
            missed |= measure(database, url, options.rows, options.requests, folder)
        finally:
            if database == "postgres":
                databases.drop_postgres(url)
    return 2 if missed else 0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per case")
    return parser.parse_args()


def seed(database: str, rows: int, folder: Path) -> str:
    """A migrated, seeded, indexed database; its URL."""
    started = time.monotonic()
    url = (databases.sqlite_database(folder, rows) if database == "sqlite"
           else databases.postgres_database(rows))
    if database == "sqlite":
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            connection.execute(SET_CITIES)
    else:
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute(SET_CITIES)
            connection.execute("VACUUM ANALYZE customers")
    seeded = time.monotonic()
    rebuild = subprocess.run([str(BIN / "flask"), "--app", "app", "search", "rebuild"], cwd=ROOT,
                             env=environment(url), text=True, capture_output=True, timeout=3600)
    if rebuild.returncode != 0:
        raise RuntimeError(f"flask search rebuild failed:\n{rebuild.stderr}")
    print(rebuild.stdout.strip(), file=sys.stderr)
    if database == "postgres":
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE customer_search")
    print(f"{database}: seeded {rows:,} in {seeded - started:.0f} s, indexed in "
          f"{time.monotonic() - seeded:.0f} s", file=sys.stderr, flush=True)
    return url


def measure(database: str, url: str, rows: int, requests: int, folder: Path) -> bool:
    """Time every case on one database; whether a target was missed."""
    flask(url, "users", "create", "bench", "--password", PASSWORD, "--exist-ok")
    token = flask(url, "tokens", "create", "bench", "--scope", "read").strip().splitlines()[-1]
    with gunicorn(environment(url), log=folder / "gunicorn.log") as base:
        browser = signed_in(base)
        pages = {name: timings(lambda q=q: page(browser, base, q), requests) for name, q in PAGES.items()}
        apis = {name: timings(lambda q=q: api(base, token, q), requests) for name, q in API.items()}
    missed = False
    for results in (pages, apis):
        baseline = statistics.median(next(iter(results.values())))
        for name, times in results.items():
            ratio = statistics.median(times) / baseline
            missed |= ratio > TARGET
            print(f"{database:8} {rows:>9,}  {name:24} median {statistics.median(times):8.1f} ms  "
                  f"p90 {sorted(times)[int(len(times) * 0.9) - 1]:8.1f} ms  x{ratio:5.2f}"
                  f"{'  (over ' + str(TARGET) + ')' if ratio > TARGET else ''}", flush=True)
    return missed


def timings(request, count: int) -> list[float]:
    """Milliseconds of `count` requests, after two that warm up."""
    for _ in range(2):
        request()
    found = []
    for _ in range(count):
        started = time.perf_counter()
        request()
        found.append((time.perf_counter() - started) * 1000)
    return found


def signed_in(base: str) -> urllib.request.OpenerDirector:
    """A client holding the bench person's session cookie."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    html = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "name": "bench", "password": PASSWORD})
    opener.open(f"{base}/login", data=body.encode()).read()
    return opener


def page(browser: urllib.request.OpenerDirector, base: str, query: str) -> None:
    """The list page, which must show its total."""
    with browser.open(f"{base}/customers/browse?{query}") as answer:
        html = answer.read().decode()
    if answer.status != 200 or not re.search(r'class="total"[^>]*>[\d,]+ ', html):
        raise RuntimeError(f"no list with its total for {query!r}: {answer.status}")


def api(base: str, token: str, query: str) -> None:
    """The API's first page, with its X-Total-Count."""
    request = urllib.request.Request(f"{base}/customers?{query}",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as answer:
        answer.read()
    if answer.status != 200 or "X-Total-Count" not in answer.headers:
        raise RuntimeError(f"no total for {query!r}: {answer.status}")


if __name__ == "__main__":
    sys.exit(main())
