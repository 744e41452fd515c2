"""schemathesis against the app's /openapi.json: authenticated, every check, every operation."""
from __future__ import annotations

import atexit
import itertools
import json
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, Response, checks
from schemathesis.config import SchemathesisConfig
from schemathesis.transport import SerializationContext
from schemathesis.transport.serialization import serialize_xml

from customers.decoders import decode_xml
from customers.errors import ApiError
from customers.extensions import db
from tests.conftest import make_app, migrate, new_token

MAX_EXAMPLES = 15
FOLDER = Path(tempfile.mkdtemp(prefix="customers-schemathesis-"))
atexit.register(shutil.rmtree, FOLDER, ignore_errors=True)  # also when only collected
DATABASE_URL = f"sqlite:///{FOLDER / 'customers.sqlite3'}"
# schemathesis reads the document and its settings when the module is imported, so
# the database, the token and the app exist from then on.
migrate(DATABASE_URL)
app = make_app(DATABASE_URL)
TOKEN = new_token(app, "schemathesis", "write")
AUTHORIZATION = {"Authorization": f"Bearer {TOKEN}"}
CONFIG = SchemathesisConfig.from_dict({
    "auth": {"openapi": {"bearerAuth": {"bearer": TOKEN}}},
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
    "checks": {
        # schemathesis wants 401 for a missing Authorization header; the contract says 403,
        # which the test asserts itself.
        "missing_required_header": {"enabled": False},
        # 412 answers a stale If-Match: the state of the record, like 404 and 409, not the data.
        "positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", "401", "403", "404", "409",
                                                           "412", "429", "5xx"]},
    },
    "operations": [
        # ~160 filter parameters: the coverage phase would send ~3000 requests to each of
        # these; fuzzing covers them here, tests/test_hostile_query.py the edge values.
        {"include-method": "GET", "include-path": ["/customers", "/customers/count"],
         "phases": {"coverage": {"enabled": False}}},
        # Random ids find no record and random tags match none: read and change a seeded
        # record, PUT whatever its version (so every valid body is stored), delete another.
        {"include-name": "DELETE /customers/{id}", "parameters": {"path.id": "3"}},
        {"include-name": "PUT /customers/{id}",
         "parameters": {"path.id": "1", "header.If-Match": "*"}},
        {"include-path": "/customers/{id}", "parameters": {"path.id": "1"}},
        # The import's body is a string to JSON Schema, but only a CSV whose rows fit its
        # header row is one: most generated strings are rightly a 400 (tests/test_csv.py
        # covers the import's answers).
        {"include-name": "POST /customers/import",
         "checks": {"positive_data_acceptance": {"enabled": False}}},
    ],
})
schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=CONFIG)
statuses: Counter[int] = Counter()


@schemathesis.serializer("application/xml", "text/xml")
def xml_body(context: SerializationContext, value: Any) -> bytes:
    """Our XML (CONTRACT, section 3): `<item>`, a child per field, null as an empty element.
    schemathesis's own writer prints null as "null" and drops characters XML cannot hold,
    which turns a value generated to be refused into one the service rightly accepts."""
    if not isinstance(value, dict):
        return serialize_xml(context.case, value)["data"]
    fields = "".join(f"<{name}>{_xml_content(item)}</{name}>" for name, item in value.items())
    return f"<item>{fields}</item>".encode("utf-8", "surrogatepass")


def _xml_content(value: Any) -> str:
    """A field's content; what XML cannot hold goes as a character reference the parser refuses."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return f"<value>{escape(json.dumps(value))}</value>"
    text = value if isinstance(value, str) else json.dumps(value)
    return "".join(c if c in "\t\n" or " " <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd"
                   or c >= "\U00010000" else f"&#x{ord(c):x};" for c in escape(text))


@schemathesis.serializer("application/x-www-form-urlencoded")
def form_body(context: SerializationContext, value: Any) -> bytes:
    """Form fields, null as an empty value (CONTRACT, section 3); schemathesis would send "null"."""
    body = context.case.body  # `value` has null already spelt "null"
    if not isinstance(body, dict):
        return json.dumps(body).encode()
    pairs = [(name, _form_value(item)) for name, value in body.items()
             for item in (value if isinstance(value, list) else [value])]
    return urlencode(pairs).encode()


def _form_value(value: Any) -> str:
    """One form value: text as is, null empty, anything else in its JSON spelling."""
    return "" if value is None else value if isinstance(value, str) else json.dumps(value)


@schemathesis.serializer("text/csv")
def csv_body(context: SerializationContext, value: Any) -> bytes:
    """A CSV text as it is (the import's body); anything else in its JSON spelling."""
    return (value if isinstance(value, str) else json.dumps(value)).encode("utf-8", "surrogatepass")


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    """A fresh Idempotency-Key for each case that sends one: generated keys repeat, and the
    same key with another body is rightly refused (422), which no valid request would meet."""
    if headers and "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = f'"case-{next(_keys)}"'
    return headers


_keys = itertools.count()


@pytest.fixture(scope="module", autouse=True)
def records() -> Iterator[None]:
    """A few records for the operations on one customer to find."""
    client = app.test_client()
    for city in ("Recife", "Olinda", None):
        client.post("/customers", json={"addressCity": city}, headers=AUTHORIZATION)
    yield
    with app.app_context():
        db.engine.dispose()


@schema.parametrize()
@settings(deadline=timedelta(seconds=5),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_every_operation_conforms(case: Case) -> None:
    response = case.call()
    excluded = [checks.negative_data_rejection] if _xml_arrives_valid(case, response) else []
    case.validate_response(response, excluded_checks=excluded)
    statuses[response.status_code] += 1
    if response.request.headers.get("Authorization") != AUTHORIZATION["Authorization"]:
        assert response.status_code == 403 and response.json()["code"] == 403
    # Documented by number, not only covered by `default`; 405 answers the methods
    # schemathesis tries that the path does not have.
    documented = case.operation.definition.raw["responses"]
    assert str(response.status_code) in documented or response.status_code == 405


def _xml_arrives_valid(case: Case, response: Response) -> bool:
    """XML carries text only: a number generated to be refused arrives as a string the
    schema takes. schemathesis reads a form body as sent before blaming the service
    (`_form_body_is_valid_as_sent`), not an XML one: this does the same for XML."""
    if "xml" not in (case.media_type or "") or not response.request.body:
        return False
    try:
        fields = decode_xml(response.request.body, None)
    except ApiError:
        return False
    body = case.operation.get_body_for_media_type(case.media_type)
    return body.is_valid({name: text or None for name, text in fields.items()})


def test_the_run_was_authenticated() -> None:
    """A run of documented 403s passes every check while testing nothing."""
    assert statuses, "the schemathesis tests above did not run"
    assert sum(n for code, n in statuses.items() if code != 403) > statuses[403], statuses
