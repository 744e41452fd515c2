"""The `flask` commands operators use: users and tokens."""
from __future__ import annotations

import pytest

from customers.extensions import db
from customers.models import Token, User
from tests.test_pages import PASSWORD


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
    assert runner.invoke(args=["users", "create", "hana", "--password", "pw-1 long enough"]).exit_code == 0
    prompted = runner.invoke(args=["users", "create", "ivan"], input="pw-2 long enough\npw-2 long enough\n")
    assert prompted.exit_code == 0, prompted.output
    duplicate = runner.invoke(args=["users", "create", "hana", "--password", "x" * 12])
    assert duplicate.exit_code != 0 and "exists" in duplicate.output
    with app.app_context():
        users = db.session.execute(db.select(User).order_by(User.id)).scalars().all()
        assert [u.name for u in users] == ["hana", "ivan"]
        assert all(not u.password_hash.startswith("pw") for u in users)


def test_people_are_viewers_unless_given_a_role(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "jo", "--password", PASSWORD])
    runner.invoke(args=["users", "create", "kim", "--role", "editor", "--password", PASSWORD])
    runner.invoke(args=["users", "create", "lia", "--role", "admin", "--password", PASSWORD])
    listing = runner.invoke(args=["users", "list"]).output.splitlines()
    assert [line.split("\t")[1:] for line in listing] == [
        ["jo", "viewer", "active"], ["kim", "editor", "active"], ["lia", "admin", "active"]]


@pytest.mark.parametrize("args, input_", [
    (["users", "create", "mo", "--password", "eleven chrs"], None),
    (["users", "create", "mo"], "short\nshort\n"),
    (["users", "set-password", "jo", "--password", "eleven chrs"], None),
])
def test_every_password_has_at_least_12_characters(app, args, input_):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "jo", "--password", PASSWORD])
    before = hashes(app)
    result = runner.invoke(args=args, input=input_)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == "Error: A password has at least 12 characters."
    assert hashes(app) == before


@pytest.mark.parametrize("name", ["Jo", " jo ", "ｊｏ"])
def test_a_name_differing_only_in_case_or_spacing_is_refused(app, name):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "jo", "--password", PASSWORD])
    result = runner.invoke(args=["users", "create", name, "--password", PASSWORD])
    assert result.exit_code == 1 and "exists already" in result.output
    assert len(hashes(app)) == 1


@pytest.mark.parametrize("name", ["a\x00b", "x" * 256, "tab\there", "  "])
def test_a_name_the_rules_refuse_is_one_line(app, name):
    result = app.test_cli_runner().invoke(args=["users", "create", name, "--password", PASSWORD])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("Error: ") and hashes(app) == {}


@pytest.mark.parametrize("args", [["set-password", "nobody", "--password", PASSWORD],
                                  ["set-role", "nobody", "editor"], ["disable", "nobody"]])
def test_an_unknown_person_is_one_clear_line(app, args):
    result = app.test_cli_runner().invoke(args=["users", *args])
    assert result.exit_code == 1
    assert result.output == "Error: no person named 'nobody'\n"


def test_set_role_set_password_and_disable(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "jo", "--password", PASSWORD])
    old = hashes(app)["jo"]
    assert runner.invoke(args=["users", "set-role", "jo", "admin"]).output == "jo is now admin\n"
    assert runner.invoke(args=["users", "set-role", "jo", "boss"]).exit_code == 2  # not a role
    assert runner.invoke(args=["users", "set-password", "jo", "--password", "a new long one!"]).exit_code == 0
    assert hashes(app)["jo"] != old
    assert runner.invoke(args=["users", "disable", "jo"]).exit_code == 0
    state = runner.invoke(args=["users", "list"]).output.split("\t")
    assert state[2] == "admin" and state[3].startswith("disabled ")


def hashes(app) -> dict[str, str]:
    """Every person's password hash, by name."""
    with app.app_context():
        return {u.name: u.password_hash for u in db.session.execute(db.select(User)).scalars()}


def test_create_with_exist_ok_leaves_an_existing_person_alone(app):
    """The README's serve command can be run again: the first admin is not made twice."""
    runner = app.test_cli_runner()
    first = runner.invoke(args=["users", "create", "root", "--role", "admin", "--exist-ok"],
                          input=f"{PASSWORD}\n{PASSWORD}\n")
    assert first.exit_code == 0 and "created admin root" in first.output
    before = hashes(app)
    again = runner.invoke(args=["users", "create", "root", "--role", "admin", "--exist-ok"])
    assert again.exit_code == 0 and again.output == "root exists already; nothing changed\n"
    assert hashes(app) == before
