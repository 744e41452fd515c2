"""Sessions end when they should: sign-out, a password change, disabling, removing a person
(issue 18, break 1). A copy of the cookie kept from before opens nothing, on any worker."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete

from customers.accounts import create_user, disable, existing_user, set_password
from customers.extensions import db
from customers.models import User
from tests.conftest import app_on
from tests.test_pages import PASSWORD, form_of, make_person, sign_in, submit

person = pytest.fixture(make_person, name="person")


def session_cookie(client: FlaskClient) -> str:
    """The value of the browser's session cookie now."""
    return client.get_cookie("session").value


def replay(client: FlaskClient, cookie: str) -> FlaskClient:
    """The browser with an old copy of its session cookie put back."""
    client.set_cookie("session", cookie)
    return client


def is_signed_in(client: FlaskClient) -> bool:
    """Whether the cookie still opens the pages."""
    answer = client.get("/customers/browse")
    assert answer.status_code in (200, 302)
    return answer.status_code == 200


def test_a_session_kept_from_before_sign_out_opens_nothing_and_saves_nothing(
        client, person, api):
    record = api.create(addressCity="Recife")
    sign_in(client)
    path = f"/customers/{record['id']}/edit"
    form = form_of(client, path)  # with the CSRF token of that session
    kept = session_cookie(client)
    assert submit(client, "/logout", {}).status_code == 302
    replay(client, kept)
    assert not is_signed_in(client)
    refused = client.post(path, data={**form, "addressCity": "Olinda"})
    assert refused.status_code == 302 and refused.location.startswith("/login")
    assert api.get(record["id"])["addressCity"] == "Recife"


def test_signing_out_ends_the_persons_other_sessions_too(app, person):
    phone, desk = app.test_client(), app.test_client()
    sign_in(phone), sign_in(desk)
    submit(phone, "/logout", {})
    assert not is_signed_in(desk)
    assert sign_in(desk).status_code == 302 and is_signed_in(desk)


@pytest.mark.parametrize("end", [
    lambda user: set_password(user, "another long passphrase"),
    disable,
], ids=["password set by an operator", "disabled"])
def test_an_operator_ending_a_person_ends_every_session_on_every_worker(
        app, database_url, person, end):
    with app_on(database_url) as other_worker:
        here, there = app.test_client(), other_worker.test_client()
        sign_in(here), sign_in(there)
        kept = session_cookie(here)
        with app.app_context():
            end(existing_user(person))
        assert not is_signed_in(there)
        assert not is_signed_in(replay(here, kept))


def test_a_disabled_person_cannot_sign_in(app, client, person):
    with app.app_context():
        disable(existing_user(person))
    answer = sign_in(client)
    assert answer.status_code == 200 and "Wrong name or password." in answer.get_data(as_text=True)
    assert not is_signed_in(client)


def test_a_removed_persons_cookie_never_signs_in_as_the_next_person(app, client, person):
    sign_in(client)
    kept = session_cookie(client)
    with app.app_context():
        removed = existing_user(person).id
        db.session.execute(delete(User).where(User.id == removed))
        db.session.commit()
        newcomer = create_user("otto", PASSWORD, "admin")
        assert newcomer.id > removed  # never reused, on SQLite too
    replay(client, kept)
    assert not is_signed_in(client)
    assert "otto" not in client.get("/login").get_data(as_text=True)


def test_a_cookie_of_the_old_form_holding_only_an_id_is_refused(app, client, person):
    sign_in(client)
    with client.session_transaction() as session:
        session["_user_id"] = session["_user_id"].split(":")[0]
    assert not is_signed_in(client)


def test_a_restart_without_secret_key_keeps_everyone_signed_in(database_url, tmp_path, monkeypatch):
    """The README's serve command sets no SECRET_KEY: the key made at the first start is kept."""
    from app import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
              "SECRET_KEY_FILE": str(tmp_path / "instance" / "secret_key")}
    before, after = create_app(config), create_app(config)
    try:
        make_person(before)
        client = before.test_client()
        sign_in(client)
        restarted = after.test_client()
        restarted.set_cookie("session", session_cookie(client))
        assert is_signed_in(restarted)
    finally:
        for app in (before, after):
            with app.app_context():
                db.engine.dispose()
