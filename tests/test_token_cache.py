"""The token cache spares lookups, never a revocation: every answer goes to a live token."""
from __future__ import annotations

import pytest
from sqlalchemy import event, text

from customers.extensions import db
from tests.webhooks import add_webhook
from tests.conftest import new_token
from tests.hostile import assert_refused
from tests.servers import flask_command


@pytest.fixture
def record(api) -> str:
    return api.create(addressCity="Recife")["id"]


@pytest.fixture
def statements(app):
    """The SQL statements the app sends, as they are sent."""
    sent: list[str] = []
    with app.app_context():
        engine = db.engine

    def capture(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    yield sent
    event.remove(engine, "before_cursor_execute", capture)


def sql(app, statement: str, **params) -> None:
    """Change the database behind the app's back, as another process would."""
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


def test_a_known_token_is_looked_up_once(app, api, record, statements):
    api.token = new_token(app, "fresh", "write")
    for _ in range(3):
        assert api.send("PUT", f"/customers/{record}", {"addressCity": "Olinda"}).status_code == 200
    lookups = [s for s in statements if "tokens.owner" in s]
    assert len(lookups) == 1, lookups


@pytest.mark.parametrize("webhooks", [False, True])
def test_a_put_is_a_locking_read_a_write_and_its_entries(app, api, record, statements, webhooks):
    """The token check, and whether any webhook is registered, ride in the SELECT that locks
    the row (the version is checked on what it returns); then the UPDATE, the history entry,
    only when a webhook is registered the outbox's one INSERT ... SELECT, and the search
    index's row, in the same transaction: no other round trip (on PostgreSQL the
    transaction's BEGIN, which the driver sends anyway, carries its statement timeout:
    customers/transactions.py)."""
    if webhooks:
        add_webhook(app, "http://127.0.0.1:9/hook")
    assert api.send("PUT", f"/customers/{record}", {"addressCity": "Olinda"}).status_code == 200
    statements.clear()
    response = api.send("PUT", f"/customers/{record}", {"addressCity": "Recife"})
    assert response.status_code == 200 and response.get_json()["addressCity"] == "Recife"
    if statements and statements[0] == "BEGIN; SET LOCAL statement_timeout = 5000":
        statements.pop(0)
    kinds = [s.split()[0].upper() for s in statements]
    assert kinds == ["SELECT", "UPDATE", "INSERT", "INSERT"] + ["INSERT"] * webhooks, statements
    assert "tokens" in statements[0] and "webhooks" in statements[0]
    # The journal's order: history, outbox; SQLite's index row is an INSERT OR REPLACE.
    inserted = [s.replace(" OR REPLACE", "").split()[2] for s in statements[2:]]
    assert inserted == ["customer_history", *["webhook_messages"] * webhooks, "customer_search"]


@pytest.mark.parametrize("method, path, fields", [
    ("GET", "/customers", None), ("GET", "/customers/count", None), ("GET", "/customers/{id}", None),
    ("POST", "/customers", {"addressCity": "Olinda"}),
    ("PUT", "/customers/{id}", {"addressCity": "Olinda"}),
    ("PATCH", "/customers/{id}", {"addressCity": "Olinda"}),
    ("PUT", "/customers/{id}", {"gender": "not a gender"}),  # would be 422
    ("PUT", "/customers/{id}", {"nosuchfield": "x"}),  # would be 422
    ("PUT", "/customers/999999", {"addressCity": "Olinda"}),  # would be 404
    ("DELETE", "/customers/{id}", None), ("DELETE", "/customers/999999", None),
])
def test_revoked_behind_the_cache_is_refused_at_once(app, api, record, snapshot, method, path, fields):
    """Revoked straight in the database (no process-local eviction), right after a request
    filled the cache: the next request of any kind is a 403 and changes nothing."""
    assert api.send("GET", f"/customers/{record}").status_code == 200
    sql(app, "UPDATE tokens SET revoked_at = CURRENT_TIMESTAMP")
    before = snapshot()
    response = api.send(method, path.format(id=record), fields)
    assert_refused(response, 403, "Authentication required")
    assert snapshot() == before


def test_a_reused_token_id_does_not_revive_a_deleted_token(app, api, record, snapshot):
    """The liveness check compares the hash too, not only the id the cache remembers."""
    assert api.send("GET", f"/customers/{record}").status_code == 200
    with app.app_context():
        row = db.session.execute(text("SELECT id, owner, scope FROM tokens WHERE owner = 'writer'")).one()
    sql(app, "DELETE FROM tokens WHERE id = :id", id=row.id)
    sql(app, "INSERT INTO tokens (id, owner, scope, secret_hash, created_at) "
             "VALUES (:id, :owner, :scope, :digest, CURRENT_TIMESTAMP)",
        id=row.id, owner=row.owner, scope=row.scope, digest="0" * 64)
    before = snapshot()
    for method in ("GET", "PUT"):
        response = api.send(method, f"/customers/{record}", {"addressCity": "x"} if method == "PUT" else None)
        assert_refused(response, 403, "Authentication required")
    assert snapshot() == before


def test_a_revoked_read_token_trying_to_write_hears_authentication_required(app, client, read_token, record):
    headers = {"Authorization": f"Bearer {read_token}", "Content-Type": "application/json"}
    assert client.get(f"/customers/{record}", headers=headers).status_code == 200
    sql(app, "UPDATE tokens SET revoked_at = CURRENT_TIMESTAMP WHERE scope = 'read'")
    response = client.put(f"/customers/{record}", data=b'{"addressCity":"x"}', headers=headers)
    assert_refused(response, 403, "Authentication required")


@pytest.mark.server
def test_flask_tokens_revoke_reaches_every_gunicorn_worker_at_once(app, live_server):
    """Both workers have the token cached; the operator's command revokes it; no worker
    answers it again, not even once."""
    import urllib.error
    import urllib.request

    def status() -> int:
        request = urllib.request.Request(f"{live_server.url}/customers/count",
                                         headers={"Authorization": f"Bearer {live_server.read_token}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert {status() for _ in range(20)} == {200}
    with app.app_context():
        token_id = db.session.execute(text("SELECT id FROM tokens WHERE owner = 'live-reader'")).scalar_one()
    flask_command(live_server.env, "tokens", "revoke", str(token_id))
    assert {status() for _ in range(20)} == {403}
