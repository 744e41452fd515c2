"""Tokens: kept and compared only as hashes, never logged, revoked at once, scoped."""
from __future__ import annotations

import hashlib
import logging

import pytest
from sqlalchemy import event, text

from customers.tokens import revoke_token
from customers.extensions import db
from customers.models import Token
from tests.conftest import make_app
from tests.hostile import assert_refused

JSON = {"Content-Type": "application/json"}
# (method, path template, body): every write the API has.
WRITES = [("POST", "/customers", b'{"uuid":"new"}'), ("PUT", "/customers/{id}", b'{"uuid":"x"}'),
          ("PATCH", "/customers/{id}", b'{"uuid":"x"}'), ("DELETE", "/customers/{id}", None)]
READS = ["/customers", "/customers/count", "/customers/{id}"]


@pytest.fixture
def record(api) -> str:
    return api.create(uuid="u-1", addressCity="Recife")["id"]


def request_every_operation(client, record: str, authorization: str | None) -> list:
    """Every read and write, sent with this Authorization header (or none)."""
    headers = {**JSON, **({"Authorization": authorization} if authorization is not None else {})}
    answers = [client.get(path.format(id=record), headers=headers) for path in READS]
    return answers + [client.open(path.format(id=record), method=method, data=body, headers=headers)
                      for method, path, body in WRITES]


def test_a_token_is_stored_only_as_the_hash_of_its_secret(app, write_token):
    with app.app_context():
        rows = [tuple(map(str, row)) for row in db.session.execute(text("SELECT * FROM tokens"))]
    assert rows and not any(write_token in value for row in rows for value in row)
    assert any(hashlib.sha256(write_token.encode()).hexdigest() in row for row in rows)


def test_the_secret_never_reaches_the_database(app, client, write_token, record):
    """The lookup compares hashes: no timing of a comparison can tell a secret's characters."""
    sent: list[str] = []
    with app.app_context():
        engine = db.engine

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        sent.append(f"{statement} {parameters}")

    wrong = write_token[:-4] + "zzzz"
    event.listen(engine, "before_cursor_execute", capture)
    try:
        for secret in (write_token, wrong):
            client.get("/customers", headers={"Authorization": f"Bearer {secret}"})
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert sent and not any(write_token in s or wrong in s for s in sent)
    assert any(hashlib.sha256(wrong.encode()).hexdigest() in s for s in sent)


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer ", "Bearer nope", "Basic d3JpdGVyOnNlY3JldA==", "Token {token}",
    "Bearer {token}x", "Bearer x{token}", "Bearer {token} {token}", "Bearer " + "A" * 8000,
    "Bearer \x00", "Bearer {hash}",
], ids=["none", "empty", "scheme-only", "scheme-space", "unknown", "basic", "other-scheme",
        "suffixed", "prefixed", "twice", "huge", "nul", "the-stored-hash"])
def test_a_bad_token_is_403_everywhere_and_changes_nothing(client, write_token, record, snapshot,
                                                           authorization):
    before = snapshot()
    if authorization is not None:
        digest = hashlib.sha256(write_token.encode()).hexdigest()
        authorization = authorization.format(token=write_token, hash=digest)
    for response in request_every_operation(client, record, authorization):
        assert_refused(response, 403, "Authentication required")
    assert snapshot() == before


def test_a_revoked_token_is_refused_at_once_in_every_process(app, database_url, client, write_token,
                                                             record, snapshot):
    """Revoked from another process (another app on the same database, as `flask tokens revoke`
    would), right after the token was used here."""
    headers = {"Authorization": f"Bearer {write_token}"}
    assert client.get("/customers", headers=headers).status_code == 200
    other = make_app(database_url)
    with other.app_context():
        query = db.select(Token.id).where(Token.owner == "writer")
        token_id = db.session.execute(query).scalar_one()
        assert revoke_token(token_id) is not None
        db.engine.dispose()
    before = snapshot()
    for response in request_every_operation(client, record, headers["Authorization"]):
        assert_refused(response, 403, "Authentication required")
    assert snapshot() == before


def test_a_read_token_cannot_write(client, read_token, record, snapshot):
    before = snapshot()
    headers = {**JSON, "Authorization": f"Bearer {read_token}"}
    for method, path, body in WRITES:
        response = client.open(path.format(id=record), method=method, data=body, headers=headers)
        assert_refused(response, 403, "write scope")
    assert snapshot() == before
    assert client.get(f"/customers/{record}", headers=headers).status_code == 200


def test_no_token_is_ever_logged(client, write_token, read_token, record, caplog):
    caplog.set_level(logging.DEBUG)
    for token in (write_token, read_token, write_token + "x", "nope"):
        request_every_operation(client, record, f"Bearer {token}")
    for secret in (write_token, read_token):
        assert secret not in caplog.text and secret[4:20] not in caplog.text
