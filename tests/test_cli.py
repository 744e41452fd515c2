"""The `flask` commands operators use: users and tokens."""
from __future__ import annotations

from customers.extensions import db
from customers.models import Token, User


def test_tokens_create_prints_the_secret_alone_on_the_last_line(app, client):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "dora", "--scope", "write"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("cst_") and " " not in secret
    with app.app_context():
        token = db.session.execute(db.select(Token)).scalar_one()
        assert token.owner == "dora" and token.scope == "write" and secret not in token.secret_hash
    response = client.post("/customers", json={}, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201 and response.get_json()["created_by"] == "dora"


def test_tokens_default_to_read_scope(app, client):
    secret = app.test_cli_runner().invoke(args=["tokens", "create", "eve"]).output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/customers", headers=headers).status_code == 200
    assert client.post("/customers", json={}, headers=headers).status_code == 403


def test_tokens_list_and_revoke(app, client):
    runner = app.test_cli_runner()
    secret = runner.invoke(args=["tokens", "create", "finn", "--scope", "write"]).output.strip().splitlines()[-1]
    listing = runner.invoke(args=["tokens", "list"]).output
    assert "finn\twrite\tactive" in listing and secret not in listing
    assert runner.invoke(args=["tokens", "revoke", "1"]).exit_code == 0
    assert "revoked" in runner.invoke(args=["tokens", "list"]).output
    assert client.get("/customers", headers={"Authorization": f"Bearer {secret}"}).status_code == 403
    assert runner.invoke(args=["tokens", "revoke", "99"]).exit_code != 0


def test_tokens_create_refuses_an_unknown_scope(app):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "gus", "--scope", "admin"])
    assert result.exit_code != 0


def test_users_create_with_password_option_and_prompt(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "create", "hana", "--password", "pw-1"]).exit_code == 0
    prompted = runner.invoke(args=["users", "create", "ivan"], input="pw-2\npw-2\n")
    assert prompted.exit_code == 0, prompted.output
    duplicate = runner.invoke(args=["users", "create", "hana", "--password", "x"])
    assert duplicate.exit_code != 0 and "exists" in duplicate.output
    with app.app_context():
        users = db.session.execute(db.select(User).order_by(User.id)).scalars().all()
        assert [u.name for u in users] == ["hana", "ivan"]
        assert all(not u.password_hash.startswith("pw") for u in users)
