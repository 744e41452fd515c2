"""A person's own password change in the pages: the rules, and the sessions it ends."""
from __future__ import annotations

import pytest

from tests.test_pages import PASSWORD, field_errors, make_person, sign_in, submit

person = pytest.fixture(make_person, name="person")
NEW = "a brand new passphrase"


def change(client, current: str = PASSWORD, new: str = NEW, repeat: str | None = None):
    """Post the password form."""
    return submit(client, "/account/password",
                  {"current": current, "new": new, "repeat": new if repeat is None else repeat})


@pytest.mark.parametrize("fields, field, message", [
    ({"current": "not it at all"}, "current", "That is not your current password."),
    ({"new": "eleven chrs"}, "new", "A password has at least 12 characters."),
    ({"new": "x" * 1025}, "new", "A password has at most 1024 characters."),
    ({"new": "nul\x00in the middle"}, "new", "A password cannot hold control characters"),
    ({"repeat": "something else entirely"}, "repeat", "The two new passwords differ."),
    ({"new": PASSWORD}, "new", "The new password is the one you have now."),
])
def test_a_refused_change_says_why_beside_the_field_and_changes_nothing(
        app, person, fields, field, message):
    client = app.test_client()
    sign_in(client)
    answer = change(client, **fields)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert field_errors(html)[field][0].startswith(message) and "<title>Error: " in html
    assert sign_in(app.test_client()).status_code == 302  # the old password still works


def test_a_change_ends_the_other_sessions_and_keeps_this_one(app, person):
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here), sign_in(elsewhere)
    answer = change(here)
    assert answer.status_code == 302
    assert "Password changed." in here.get(answer.location).get_data(as_text=True)
    assert here.get("/customers/browse").status_code == 200
    assert elsewhere.get("/customers/browse").status_code == 302
    assert "Wrong name or password." in sign_in(app.test_client()).get_data(as_text=True)
    assert sign_in(app.test_client(), password=NEW).status_code == 302


def test_a_viewer_may_change_their_own_password(app):
    from customers.accounts import create_user

    with app.app_context():
        create_user("vera", PASSWORD)
    client = app.test_client()
    sign_in(client, "vera")
    assert client.get("/account/password").status_code == 200
    assert change(client).status_code == 302


def test_the_page_needs_a_signed_in_person(client):
    answer = client.get("/account/password")
    assert answer.status_code == 302 and answer.location.startswith("/login?next=")


def test_wrong_current_passwords_are_throttled_as_sign_ins_are(app, person):
    client = app.test_client()
    sign_in(client)
    tries = app.config["LOGIN_MAX_FAILURES"]
    assert [change(client, current=f"wrong guess {n:04}").status_code for n in range(tries)] == [422] * tries
    held = change(client)  # the right one now waits too: guessing learns nothing
    assert held.status_code == 429 and 0 < int(held.headers["Retry-After"]) <= 900
    assert field_errors(held.get_data(as_text=True))["current"][0].startswith(
        "Too many wrong current passwords. Wait ")
    assert sign_in(app.test_client()).status_code == 302  # unchanged, and the owner signs in
    assert change(client).status_code == 302  # whose sign-in started the count over


def test_a_right_current_password_starts_the_count_over(app, person):
    client = app.test_client()
    sign_in(client)
    tries = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(2):
        assert [change(client, current="wrong guess!!").status_code
                for _ in range(tries - 1)] == [422] * (tries - 1)
        assert change(client, repeat="not the same again").status_code == 422  # current right
    assert change(client).status_code == 302
