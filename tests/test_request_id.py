"""X-Request-ID: the client's when sane, a new one otherwise, on every response and log record."""
from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest
from flask import Flask

from customers.extensions import db
from customers.request_id import HEADER, RequestIdFilter
from tests.conftest import make_app

NEW_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def app(sqlite_template: Path, tmp_path: Path):
    """An app on SQLite only: request ids do not depend on the database."""
    path = tmp_path / "customers.sqlite3"
    shutil.copy(sqlite_template, path)
    app = make_app(f"sqlite:///{path}")
    app.add_url_rule("/boom", "boom", lambda: 1 / 0)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("sent", ["0f8e4c1d2b3a49c8a7b6c5d4e3f2a1b0", "abc-123", "a" * 128,
                                  "req:1/2+3=x@host.example", "X"])
def test_a_sane_id_from_the_client_is_kept(app: Flask, sent: str):
    response = app.test_client().get("/healthz", headers={HEADER: sent})
    assert response.headers[HEADER] == sent


@pytest.mark.parametrize("sent", ["", "a" * 129, "has space", 'quo"te', "tab\tbed", "ünïcode",
                                  "semi;colon", "<script>"])
def test_an_unsafe_id_is_replaced_by_a_new_one(app: Flask, sent: str):
    response = app.test_client().get("/healthz", headers={HEADER: sent})
    assert NEW_ID.fullmatch(response.headers[HEADER])


def test_each_request_without_an_id_gets_its_own(app: Flask):
    client = app.test_client()
    ids = {client.get("/healthz").headers[HEADER] for _ in range(3)}
    assert len(ids) == 3 and all(NEW_ID.fullmatch(i) for i in ids)


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/no-such-page", 404), ("GET", "/customers", 403), ("DELETE", "/healthz", 405),
    ("GET", "/boom", 500),
])
def test_error_answers_carry_the_id_too(app: Flask, method: str, path: str, status: int):
    response = app.test_client().open(path, method=method, headers={HEADER: "err-42"})
    assert (response.status_code, response.headers[HEADER]) == (status, "err-42")


def test_the_apps_log_records_name_the_request(app: Flask, caplog: pytest.LogCaptureFixture):
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.ERROR, logger="customers"):
        app.test_client().get("/boom", headers={HEADER: "trace-me-1"})
    ours = [record for record in caplog.records if record.name.startswith("customers")]
    assert [record.request_id for record in ours] == ["trace-me-1"]


def test_records_outside_a_request_say_so():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "message", None, None)
    assert RequestIdFilter().filter(record) and record.request_id == "-"
