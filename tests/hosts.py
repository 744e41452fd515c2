"""Two hosts: two gunicorn instances on one PostgreSQL through PgBouncer, nginx in front of both."""
from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from tests.loadgen import issue_write_token
from tests.nginx import Proxy, nginx
from tests.pgbouncer import Pooled, pooled_database
from tests.servers import flask_command, gunicorn, server_environment

DB_TIMEOUT_SECONDS = 2


class Hosts:
    """Where each host and nginx listen, the shared environment, a write token."""

    def __init__(self, pooled: Pooled, hosts: list[str], proxy: Proxy, env: dict[str, str],
                 token: str, logs: list[Path]):
        self.pooled, self.hosts, self.proxy, self.env = pooled, hosts, proxy, env
        self.token, self.logs = token, logs
        self.url = f"http://127.0.0.1:{proxy.http_port}"  # the load balancer

    def flask(self, *args: str) -> str:
        """An operator's `flask --app app ...` on the shared database; its output."""
        return flask_command(self.env, *args)


@contextmanager
def two_hosts(folder: Path, workers: int = 2, **pgbouncer_settings: str) -> Iterator[Hosts]:
    """Everything started, in order, and stopped in reverse."""
    with pooled_database(**pgbouncer_settings) as pooled:
        # What the hosts share: the database (through PgBouncer) and SECRET_KEY.
        env = server_environment(pooled.bouncer.url, DB_TIMEOUT_SECONDS=str(DB_TIMEOUT_SECONDS),
                                 PROXY_HOPS="1")
        token = issue_write_token(pooled.bouncer.url, "hosts-writer")
        logs = [folder / "host-a.log", folder / "host-b.log"]
        with gunicorn(env, workers=workers, log=logs[0]) as a, \
                gunicorn(env, workers=workers, log=logs[1]) as b:
            with nginx([urlsplit(a).netloc, urlsplit(b).netloc]) as proxy:
                yield Hosts(pooled, [a, b], proxy, env, token, logs)


class Browser:
    """A browser's cookie jar over plain HTTP, on any host (the hosts share the site)."""

    def __init__(self, source: str = "127.0.0.1"):
        self.cookies: dict[str, str] = {}
        self.source = source

    def request(self, base: str, method: str, path: str,
                form: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        """(status, headers, body) of one request, remembering the cookies it sets."""
        parts = urlsplit(base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30,
                                                source_address=(self.source, 0))
        headers = {"Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()

    def csrf(self, base: str, path: str) -> str:
        """The CSRF token of the form on a page."""
        status, _, html = self.request(base, "GET", path)
        assert status == 200, (status, html[:300])
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    def sign_in(self, base: str, name: str, password: str) -> tuple[int, dict[str, str], str]:
        """Submit the sign-in form, as a person would."""
        token = self.csrf(base, "/login")
        return self.request(base, "POST", "/login",
                            {"csrf_token": token, "name": name, "password": password})
