"""Log lines against a live gunicorn: no field forged, no control character raw, no secret."""
from __future__ import annotations

import logging
import logging.config
import re
import runpy
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from customers.logs import escape, redact
from tests.conftest import make_app, new_token
from tests.servers import ROOT, gunicorn, server_environment
from tests.test_hostile_transport import exchange

pytestmark = pytest.mark.server

# A quoted field: anything but `"` and `\`, or a backslash and the character it escapes.
QUOTED = r'"((?:[^"\\]|\\.)*)"'
ACCESS_LINE = re.compile(rf'(\S+) (\S+) \[[^]]+\] {QUOTED} (\d{{3}}) (\S+) (\d+\.\d{{6}})s '
                         rf'{QUOTED} {QUOTED}')
# What no log line may hold raw: C0 (but the newline ending it), DEL, C1, line separators.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# Bytes on the wire: a user agent that closes its quoted field early, breaks the line (NEL,
# alone and in UTF-8) and paints the terminal (CSI). gunicorn refuses C0 and DEL in headers.
USER_AGENT = b'curl\\" 200 9 "-" "forged\x85\xc2\x85\x9b31m caf\xc3\xa9'


class Server(NamedTuple):
    url: str
    write_token: str
    log: Path


@pytest.fixture(scope="module")
def server(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn at LOG_LEVEL=debug (its chattiest), its log read while it runs."""
    folder = tmp_path_factory.mktemp("logs")
    shutil.copy(sqlite_template, folder / "customers.sqlite3")
    url = f"sqlite:///{folder / 'customers.sqlite3'}"
    token = new_token(make_app(url), "log-writer", "write")
    env = server_environment(url, PYTHONUNBUFFERED="1", LOG_LEVEL="debug")
    with gunicorn(env, log=folder / "gunicorn.log") as base:
        yield Server(base, token, folder / "gunicorn.log")


def unescape(field: str) -> str:
    """A logged field as the text it stands for."""
    return re.sub(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|.)",
                  lambda m: chr(int(m[1][1:], 16)) if len(m[1]) > 1 else m[1], field)


def wait_for_line(log: Path, marker: str, seconds: float = 10) -> str:
    """The log line that names `marker` (gunicorn writes it after answering)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for line in log.read_text("utf-8", "replace").splitlines():
            if marker in line:
                return line
        time.sleep(0.05)
    raise AssertionError(f"no log line names {marker} in {log}")


def test_no_access_log_field_can_be_forged_and_no_secret_is_written(server):
    marker = uuid.uuid4().hex
    secrets = [server.write_token, "hunter2-" + marker[:6], "k-" + marker[6:12]]
    target = (f"/customers?marker={marker}&access_token={secrets[0]}&token={secrets[1]}"
              f"&api_key={secrets[2]}")
    request = (f"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
               f"X-Request-ID: {marker}\r\nReferer: http://elsewhere.example/?token={secrets[1]}\r\n"
               ).encode() + b"User-Agent: " + USER_AGENT + b"\r\n\r\n"
    status, _ = exchange(server.url, request)
    assert status == 403  # a token in the query string is no credential
    line = wait_for_line(server.log, marker)
    fields = ACCESS_LINE.fullmatch(line)
    assert fields, line
    assert (fields[1], fields[2], fields[4]) == ("127.0.0.1", marker, "403")
    assert unescape(fields[8]) == USER_AGENT.decode("latin-1")  # not UTF-8: as the bytes came
    assert fields[3].startswith(f"GET /customers?marker={marker}&access_token=[REDACTED]&")
    assert "token=[REDACTED]" in fields[7]
    text = server.log.read_text("utf-8")
    assert not RAW_CONTROL.search(text.replace("\n", "")), RAW_CONTROL.search(text)
    for secret in secrets:
        assert secret not in text


def test_gunicorns_own_lines_hold_no_secret_or_raw_control_character(server):
    """A request line gunicorn refuses is written to its error log (at debug level), with
    the request line in the exception's text: escaped and redacted there too."""
    marker = uuid.uuid4().hex
    request = (f"GET /customers?marker={marker}&token={server.write_token}\x1b[2J HTTP/1.1 x"
               "\r\nHost: localhost\r\n\r\n").encode()
    status, _ = exchange(server.url, request)
    assert status == 400
    line = wait_for_line(server.log, marker)
    assert "token=[REDACTED]" in line, line
    text = server.log.read_text("utf-8")
    assert server.write_token not in text
    assert not RAW_CONTROL.search(text.replace("\n", "")), RAW_CONTROL.search(text)


def app_logger(stream_path: Path) -> logging.Logger:
    """The app's logger as gunicorn.conf.py configures it, writing to a file."""
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["logconfig_dict"]
    handler = {**config["handlers"]["app"], "class": "logging.FileHandler",
               "filename": str(stream_path)}
    handler.pop("stream")
    logging.config.dictConfig({**config, "handlers": {**config["handlers"], "app": handler},
                               "disable_existing_loggers": False})
    return logging.getLogger("customers.test_logs")


def test_the_apps_own_lines_are_escaped_and_redacted(tmp_path):
    log_file = tmp_path / "app.log"
    logger = app_logger(log_file)
    try:
        logger.warning("asked for %s", "/customers?access_token=cst_abcdefghij&x=1\nFORGED line\x9b")
        try:
            raise ValueError("Bearer cst_zyxwvutsrq failed\nFORGED by an exception\x1b[2J")
        except ValueError:
            logger.exception("unexpected error")
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    text = log_file.read_text("utf-8")
    assert "cst_abcdefghij" not in text and "cst_zyxwvutsrq" not in text
    assert "access_token=[REDACTED]&x=1\\x0aFORGED line\\x9b" in text
    assert not any(line.startswith("FORGED") for line in text.splitlines())
    assert "failed\\x0aFORGED by an exception\\x1b[2J" in text


@pytest.mark.parametrize(("raw", "logged"), [
    ('a\\" b', 'a\\\\\\" b'), ("\x1b[2J", "\\x1b[2J"), ("\x85\x9b\x7f", "\\x85\\x9b\\x7f"),
    ("\u202e\u2028", "\\u202e\\u2028"), ("São Paulo", "São Paulo"),
])
def test_escape(raw, logged):
    assert escape(raw) == logged


@pytest.mark.parametrize(("raw", "logged"), [
    ("/c?access_token=abc&x=1", "/c?access_token=[REDACTED]&x=1"),
    ("token=abc;api_key=def", "token=[REDACTED];api_key=[REDACTED]"),
    ("/c?client_secret=s&password=p&_q=token", "/c?client_secret=[REDACTED]&password=[REDACTED]&_q=token"),
    ("Authorization: Bearer abc", "Authorization: Bearer [REDACTED]"),
    ("id cst_AbC-12_x seen", "id cst_[REDACTED] seen"), ("/c?referenceId=R-1", "/c?referenceId=R-1"),
])
def test_redact(raw, logged):
    assert redact(raw) == logged
