"""A first run as the README's serve command does it: no SECRET_KEY, an empty database, the
first admin made at the prompt; then signed in, and still signed in after a restart."""
from __future__ import annotations

import http.cookiejar
import re
import shlex
import subprocess
import urllib.parse
import urllib.request

import pytest

from tests.servers import BIN, ROOT, gunicorn, server_environment

pytestmark = pytest.mark.server
PASSWORD = "the first admin's passphrase"


def serve_command() -> list[list[str]]:
    """The `flask` steps of the README's serve command, as argument lists."""
    readme = (ROOT / "README.md").read_text()
    line = next(line for line in readme.splitlines() if "gunicorn wsgi:app --bind" in line)
    steps = [shlex.split(step) for step in line.split(" && ")]
    return [[str(BIN / "flask"), *step[1:]] for step in steps if step[0] == ".venv/bin/flask"]


def test_the_readme_serve_command_leaves_a_newcomer_able_to_sign_in(tmp_path):
    env = server_environment(f"sqlite:///{tmp_path}/customers.sqlite3",
                             SECRET_KEY_FILE=str(tmp_path / "instance" / "secret_key"))
    del env["SECRET_KEY"]
    upgrade, create_admin, *_ = serve_command()
    subprocess.run(upgrade, cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)
    with gunicorn(env) as url:
        assert "Nobody can sign in yet" in urllib.request.urlopen(f"{url}/login").read().decode()
    made = subprocess.run(create_admin, cwd=ROOT, env=env, input=f"{PASSWORD}\n{PASSWORD}\n",
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0 and "created admin admin" in made.stdout, made.stderr
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with gunicorn(env) as url:
        html = browser.open(f"{url}/login").read().decode()
        assert "Nobody can sign in yet" not in html
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "name": "admin", "password": PASSWORD})
        landed = browser.open(f"{url}/login", form.encode())
        assert landed.url.endswith("/customers/browse") and "Signed in as admin." in landed.read().decode()
    with gunicorn(env) as url:  # restarted: the key in instance/ was kept
        page = browser.open(f"{url}/customers/browse")
        assert page.url.endswith("/customers/browse") and "New customer" in page.read().decode()
    again = subprocess.run(create_admin, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "exists already" in again.stdout
