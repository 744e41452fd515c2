"""The sign-in throttle slows the attacker, never the owner (OWASP's device cookies), and what
the sign-in path sends the database is validated first (issue 18, break 3)."""
from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from customers.extensions import db
from customers.models import LoginFailure
from customers.pages.devices import COOKIE
from customers.pages.throttle import Limit, Throttle
from tests.conftest import app_on
from tests.test_pages import PASSWORD, make_person, sign_in, submit

person = pytest.fixture(make_person, name="person")


def owners_browser(app: Flask) -> FlaskClient:
    """A browser where the owner signed in (and out) before: it holds the device cookie."""
    browser = app.test_client()
    assert sign_in(browser).status_code == 302
    assert submit(browser, "/logout", {}).status_code == 302
    assert browser.get_cookie(COOKIE, path="/login") is not None  # kept at sign-out
    return browser


def fail(app: Flask, times: int, name: str = "ana", address: str | None = None) -> None:
    """Wrong passwords from fresh browsers (each from its own address unless one is given)."""
    for n in range(times):
        answer = sign_in(app.test_client(), name=name, password="wrong guess",
                         address=address or f"10.9.{n // 250}.{n % 250}")
        assert answer.status_code == 200, answer.status_code


def assert_held_back(answer) -> None:
    """429 with Retry-After, and the message saying so."""
    assert answer.status_code == 429 and 0 < int(answer.headers["Retry-After"]) <= 15 * 60
    assert "Too many attempts. Wait" in answer.get_data(as_text=True)


def failures() -> int:
    """Rows the throttle holds (read anew: the session's own snapshot would be stale)."""
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(LoginFailure))


def test_five_failures_in_any_spelling_of_a_name_hold_back_a_new_browser(app, person):
    for spelling, address in zip(["ana", "ANA", " ana", "Ana ", "ａｎａ"], range(5)):
        sign_in(app.test_client(), name=spelling, password="wrong guess", address=f"10.0.0.{address}")
    assert_held_back(sign_in(app.test_client(), address="10.1.1.1"))


def test_the_owners_browser_gets_in_while_the_name_is_held_back_for_others(app, person):
    owner = owners_browser(app)
    fail(app, 5)
    assert_held_back(sign_in(app.test_client(), address="10.1.1.1"))
    assert sign_in(owner).status_code == 302


def test_a_success_resets_the_names_count(app, person):
    owner = owners_browser(app)
    fail(app, 4)
    assert sign_in(owner).status_code == 302
    fail(app, 4)
    assert sign_in(app.test_client(), address="10.1.1.1").status_code == 302


def test_a_right_password_is_not_refused_for_colleagues_typos_at_the_office(app, person):
    for colleague in ("bia", "caio", "duda", "enzo", "fabi", "gil"):
        fail(app, 1, name=colleague, address="10.0.0.1")
    assert sign_in(app.test_client(), address="10.0.0.1").status_code == 302


def test_many_failures_from_one_address_hold_back_only_new_browsers_there(app, person):
    owner = owners_browser(app)
    for n in range(20):  # one password tried against many names
        fail(app, 1, name=f"name{n}", address="10.0.0.7")
    assert_held_back(sign_in(app.test_client(), name="zoe", password="guess", address="10.0.0.7"))
    assert sign_in(app.test_client(), address="10.0.0.8").status_code == 302
    assert sign_in(owner, address="10.0.0.7").status_code == 302


def test_failures_in_the_owners_browser_hold_back_that_browser_alone(app, person):
    owner = owners_browser(app)
    for _ in range(5):
        assert sign_in(owner, password="my own typo").status_code == 200
    assert_held_back(sign_in(owner))
    assert sign_in(app.test_client(), address="10.1.1.1").status_code == 302


@pytest.mark.parametrize("cookie", ["garbage", "e30.Zm9v.YmFy"])
def test_a_forged_device_cookie_is_no_device_cookie(app, person, cookie):
    fail(app, 5)
    browser = app.test_client()
    browser.set_cookie(COOKIE, cookie, path="/login")
    assert_held_back(sign_in(browser, address="10.1.1.1"))


def test_a_device_cookie_for_another_name_does_not_help(app, person):
    from customers.accounts import create_user

    with app.app_context():
        create_user("bob", PASSWORD)
    browser = app.test_client()
    assert sign_in(browser, name="bob").status_code == 302
    fail(app, 5)
    assert_held_back(sign_in(browser))


def test_every_worker_counts_the_same_failures(app, person, database_url):
    """Two apps on one database, as two gunicorn workers (or hosts)."""
    with app_on(database_url) as other_worker:
        for n in range(5):
            worker = app if n % 2 else other_worker
            assert sign_in(worker.test_client(), password="nope", address=f"10.0.1.{n}").status_code == 200
        assert_held_back(sign_in(other_worker.test_client(), address="10.0.2.1"))
        assert_held_back(sign_in(app.test_client(), address="10.0.2.1"))


def test_the_window_slides_and_old_failures_are_forgotten(app):
    now = [1_000_000.0]
    throttle = Throttle(window=60, clock=lambda: now[0])
    limits = [Limit("name:ana", 3), Limit("address:a", 10)]
    with app.app_context():
        for _ in range(3):
            assert throttle.attempt(limits).wait == 0
            now[0] += 10
        assert throttle.attempt(limits).wait == 30  # the first leaves the window at +60
        assert throttle.attempt([Limit("name:bob", 3)]).wait == 0
        assert failures() == 7  # the refused attempt was not counted
        now[0] += 31
        assert throttle.attempt(limits).wait == 0
        assert failures() == 7  # two new rows, and the first attempt's two forgotten
        with db.engine.connect() as connection:
            oldest = connection.scalar(select(func.min(LoginFailure.failed_at)))
        assert oldest == 1_000_010.0


def test_an_attempt_that_succeeds_is_no_failure(app):
    throttle = Throttle(window=60)
    with app.app_context():
        first = throttle.attempt([Limit("name:ana", 3), Limit("address:a", 3)])
        second = throttle.attempt([Limit("name:ana", 3), Limit("address:a", 3)])
        throttle.succeeded(second, forget=["name:ana"])
        with db.engine.connect() as connection:
            assert connection.scalars(select(LoginFailure.id)).all() == [first.ids[1]]


@pytest.mark.parametrize("name, password, message", [
    ("a\x00b", PASSWORD, "only printable characters"),
    ("ana\x1f", PASSWORD, "only printable characters"),
    ("x" * 256, PASSWORD, "at most 255 characters"),
    ("ana", "x" * 1025, "at most 1024 characters"),
    ("ana", "nul\x00inside", "cannot hold control characters"),
])
def test_what_the_database_cannot_hold_is_a_form_error_never_a_500(app, person, name, password, message):
    answer = sign_in(app.test_client(), name=name, password=password)
    assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    with app.app_context():
        assert failures() == 0


def test_invalid_utf8_in_the_form_is_no_crash(app, person):
    from tests.test_pages import csrf_of

    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data=f"csrf_token={token}&name=%ED%A0%80%00&password=x",
                         content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 422
