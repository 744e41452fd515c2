"""Signing in and out, CSRF, cookies and security headers (the throttle: test_throttle.py)."""
from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from customers.extensions import db
from tests.test_pages import PASSWORD, csrf_of, make_person, make_signed_in, sign_in, submit

person = pytest.fixture(make_person, name="person")
signed_in = pytest.fixture(make_signed_in, name="signed_in")

PAGES = ("/customers/browse", "/customers/new", "/customers/1/view", "/customers/1/edit",
         "/customers/1/delete", "/logout")


@pytest.mark.parametrize("path", PAGES[:-1])
def test_pages_send_a_stranger_to_sign_in_and_back(client, person, path):
    answer = client.get(path)
    assert answer.status_code == 302 and answer.location.startswith("/login?next=")
    assert "Please sign in" in client.get(answer.location).get_data(as_text=True)
    back = sign_in(client, next_=path)
    assert back.status_code == 302 and back.location == path


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "/ok\r\nLocation: x", ""])
def test_next_must_be_a_path_on_this_site(client, person, target):
    assert sign_in(client, next_=target).location == "/customers/browse"


def test_wrong_password_and_unknown_name_look_alike(client, person):
    wrong, unknown = sign_in(client, password="nope"), sign_in(client, name="nobody", password="nope")
    assert wrong.status_code == unknown.status_code == 200
    assert "Wrong name or password." in wrong.get_data(as_text=True)
    assert "Wrong name or password." in unknown.get_data(as_text=True)
    assert client.get("/customers/browse").status_code == 302


def test_sign_in_starts_a_fresh_session(client, person):
    client.get("/login")
    with client.session_transaction() as planted:
        planted["planted"] = "by someone else"
    sign_in(client)
    with client.session_transaction() as fresh:
        assert "planted" not in fresh and "_user_id" in fresh


def test_a_browser_that_also_sends_a_bearer_token_signs_in_and_uses_forms(client, person, api):
    """An auth proxy in front may add `Authorization: Bearer ...` to every browser request."""
    record = api.create(addressCity="Recife")
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer an-id-token-from-the-proxy"
    assert sign_in(client).status_code == 302
    assert client.get("/customers/browse").status_code == 200
    answer = submit(client, f"/customers/{record['id']}/edit", {"addressCity": "Olinda"})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    assert api.get(record["id"])["addressCity"] == "Olinda"


def test_a_signed_in_browsers_api_calls_leave_its_session_alone(signed_in, api):
    record = api.create()
    answer = signed_in.get(f"/customers/{record['id']}", headers=api.headers())
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers and "Cookie" not in answer.headers.get("Vary", "")
    assert signed_in.get("/customers/browse").status_code == 200  # still signed in


@pytest.mark.parametrize("base_url, secure", [("http://localhost", False), ("https://localhost", True)])
def test_session_cookie_flags(app, person, base_url, secure):
    client = app.test_client()
    token = csrf_of(client.get("/login", base_url=base_url).get_data(as_text=True))
    # Over https Flask-WTF also wants a same-origin Referer, as browsers send.
    answer = client.post("/login", base_url=base_url, headers={"Referer": f"{base_url}/login"},
                         data={"csrf_token": token, "name": "ana", "password": PASSWORD})
    assert answer.status_code == 302
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("; Secure" in cookie) is secure


@pytest.mark.parametrize("path", ["/customers/new", "/customers/1/edit", "/customers/1/delete", "/logout"])
def test_a_form_post_without_its_csrf_token_is_refused(signed_in, api, snapshot, path):
    api.create(addressCity="Recife")
    before = snapshot()
    refused = signed_in.post(path, data={"addressCity": "Olinda", "version": "1"})
    assert refused.status_code == 400 and refused.mimetype == "text/html"
    assert "CSRF" in refused.get_data(as_text=True)
    assert snapshot() == before
    assert signed_in.get("/customers/browse").status_code == 200  # still signed in


def test_sign_in_without_csrf_token_is_refused(client, person):
    refused = client.post("/login", data={"name": "ana", "password": PASSWORD})
    assert refused.status_code == 400
    assert client.get("/customers/browse").status_code == 302


def test_sign_out_asks_then_ends_the_session(signed_in):
    confirm = signed_in.get("/logout")
    assert confirm.status_code == 200 and signed_in.get("/customers/browse").status_code == 200
    out = submit(signed_in, "/logout", {})
    assert out.status_code == 302 and out.location == "/login"
    assert "Signed out." in signed_in.get("/login").get_data(as_text=True)
    for path in PAGES:
        assert signed_in.get(path).location.startswith("/login"), path


@pytest.mark.parametrize("path", ["/login", "/customers/browse", "/customers/404/view", "/docs"])
def test_html_responses_carry_security_headers(signed_in, path):
    headers = signed_in.get(path).headers
    assert headers["Content-Type"].startswith("text/html")
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"


def test_api_responses_are_not_sniffed(client, api):
    headers = api.send("GET", "/customers").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Type"].startswith("application/json")


def test_pages_hold_no_inline_script_or_style(signed_in, api):
    customer = api.create(addressCity="Recife")
    for page in ("browse", f"{customer['id']}/view", f"{customer['id']}/edit", "new"):
        html = signed_in.get(f"/customers/{page}").get_data(as_text=True).lower()
        scripts = lxml.html.fromstring(html).xpath("//script")
        # One script, from this site's static files (the CSP's script-src 'self'), none inline.
        assert [(s.get("src"), (s.text or "").strip()) for s in scripts] == [
            ("/static/list-memory.js", "")]
        assert "<style" not in html and " style=" not in html
        assert "onclick=" not in html and "javascript:" not in html


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_database_outage_is_an_error_page_not_a_crash(app, database_url, signed_in):
    with app.app_context():
        db.engine.dispose()
    database = Path(database_url.removeprefix("sqlite:///"))
    for path in database.parent.glob(database.name + "*"):  # the file and its WAL
        path.rename(path.with_name("gone-" + path.name))
    answer = signed_in.get("/customers/browse")
    assert (answer.status_code, answer.mimetype) == (503, "text/html")
    assert "database is unavailable" in answer.get_data(as_text=True)
