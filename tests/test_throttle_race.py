"""The throttle's check and count are one atomic step: 16 simultaneous wrong passwords for one
name, on 4 gunicorn workers, get at most 5 password checks (before: 8)."""
from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.servers import gunicorn, server_environment
from tests.test_pages import make_person

pytestmark = [pytest.mark.server, pytest.mark.load]

person = pytest.fixture(make_person, name="person")
ATTEMPTS = 16


class Browser:
    """One browser: its own cookies, and the sign-in form's CSRF token once loaded."""

    def __init__(self, url: str):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        html = self.opener.open(f"{url}/login", timeout=30).read().decode()
        self.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    def sign_in(self, name: str, password: str) -> int:
        """Post the form; the status."""
        body = urllib.parse.urlencode({"csrf_token": self.token, "name": name, "password": password})
        try:
            with self.opener.open(f"{self.url}/login", body.encode(), timeout=60) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_simultaneous_wrong_passwords_get_at_most_five_checks(database_url, person, tmp_path):
    with gunicorn(server_environment(database_url), workers=4, log=tmp_path / "gunicorn.log") as url:
        browsers = [Browser(url) for _ in range(ATTEMPTS)]
        start = threading.Barrier(ATTEMPTS)

        def attempt(browser: Browser) -> int:
            start.wait()
            return browser.sign_in(person, "a wrong password")

        with ThreadPoolExecutor(ATTEMPTS) as pool:
            statuses = sorted(pool.map(attempt, browsers))
    # 200 is "Wrong name or password.": a password was checked. 429: it was not.
    assert statuses.count(200) == 5 and statuses.count(429) == ATTEMPTS - 5, statuses
