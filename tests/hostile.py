"""What every answer to a hostile request must be: a 4xx in the error shape, revealing nothing."""
from __future__ import annotations

from typing import Any

from werkzeug.test import TestResponse

from tests.client import decode_answer
from tests.servers import ROOT

# What no error body may show: a traceback, SQL, a file path, a setting or its value.
LEAKS = ("Traceback", 'File "', str(ROOT), "site-packages", "/usr/lib", "sqlalchemy", "psycopg",
         "sqlite3", "SELECT ", "INSERT INTO", "UPDATE customers", "DELETE FROM", "WHERE ",
         "SQLALCHEMY", "SECRET_KEY", "test-secret", "MAX_CONTENT_LENGTH", "lxml", "libxml")


def assert_no_leak(text: str) -> None:
    """The body names no internals."""
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} in {text[:300]!r}"


def assert_refused(response: TestResponse, status: int, *words: str) -> dict[str, Any]:
    """A `status` answer in the error shape of its format, saying `words`, revealing nothing."""
    text = response.get_data(as_text=True)
    assert response.status_code == status, text[:500]
    assert response.mimetype in ("application/json", "application/xml"), response.mimetype
    answer = decode_answer(response)
    assert answer["code"] == status and answer["message"], answer
    said = f"{answer['message']} {answer.get('errors', '')}".lower()
    for word in words:
        assert word.lower() in said, f"{word!r} not in {said!r}"
    assert_no_leak(text)
    return answer
