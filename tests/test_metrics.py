"""GET /metrics: Prometheus text, any valid token, by route and status, across gunicorn workers."""
from __future__ import annotations

import http.client
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import app_on, new_token
from tests.procs import master_pid, wait_for_workers
from tests.servers import free_port, gunicorn, server_environment

RECORD_ROUTE = "/customers/<record_id:customer_id>"


def scrape(client: FlaskClient, token: str) -> dict[tuple[str, tuple], float]:
    """Every sample of GET /metrics, by name and labels."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "text/plain; version=0.0.4; charset=utf-8"
    return samples(response.get_data(as_text=True))


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """The samples of a Prometheus text exposition, by name and sorted labels."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def requests(method: str, route: str, status: int) -> tuple[str, tuple]:
    return ("customers_http_requests_total",
            (("method", method), ("route", route), ("status", str(status))))


def test_metrics_need_a_token_and_any_scope_will_do(client: FlaskClient, read_token):
    refused = client.get("/metrics")
    assert refused.status_code == 403 and refused.get_json()["code"] == 403
    unknown = client.get("/metrics", headers={"Authorization": "Bearer cst_unknown"})
    assert unknown.status_code == 403 and unknown.get_json()["code"] == 403
    assert requests("GET", "/metrics", 403) in scrape(client, read_token)  # read scope will do


def test_requests_are_counted_by_url_rule_and_status(client: FlaskClient, api, read_token):
    before = scrape(client, read_token)
    record = api.create(addressCity="Recife")["id"]
    for _ in range(3):
        api.send("GET", f"/customers/{record}")
    api.send("GET", "/customers/99999")
    api.send("PUT", f"/customers/{record}", {"gender": "nope"})
    api.send("GET", "/no/such/path")
    after = scrape(client, read_token)

    def delta(key: tuple[str, tuple]) -> float:
        return after.get(key, 0) - before.get(key, 0)

    assert delta(requests("GET", RECORD_ROUTE, 200)) == 3
    assert delta(requests("GET", RECORD_ROUTE, 404)) == 1
    assert delta(requests("PUT", RECORD_ROUTE, 422)) == 1
    assert delta(requests("POST", "/customers", 201)) == 1
    assert delta(requests("GET", "unmatched", 404)) == 1
    latency = ("customers_http_request_duration_seconds_count",
               (("method", "GET"), ("route", RECORD_ROUTE)))
    assert delta(latency) == 4
    text = client.get("/metrics", headers={"Authorization": f"Bearer {read_token}"}).get_data(
        as_text=True)
    assert f"/customers/{record}\"" not in text and "/no/such/path" not in text


def test_invented_methods_are_counted_as_other(client: FlaskClient, read_token):
    before = scrape(client, read_token)
    client.open("/customers", method="BREW")
    after = scrape(client, read_token)
    key = requests("other", "unmatched", 405)
    assert after.get(key, 0) - before.get(key, 0) == 1
    assert not any(("method", "BREW") in labels for _, labels in after)


def test_database_failures_are_counted_by_kind(client: FlaskClient, read_token):
    errors = ("customers_database_errors_total", (("kind", "unavailable"),))
    before = scrape(client, read_token)
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing"  # nobody listens
    with app_on(url, DB_TIMEOUT_SECONDS=2) as down:
        answer = down.test_client().get("/customers", headers={"Authorization": "Bearer cst_x"})
    assert answer.status_code == 503
    assert scrape(client, read_token).get(errors, 0) - before.get(errors, 0) == 1


def test_openmetrics_is_served_when_asked_for(client: FlaskClient, read_token):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {read_token}",
                                               "Accept": "application/openmetrics-text"})
    assert response.status_code == 200
    assert response.content_type.startswith("application/openmetrics-text")
    assert response.get_data(as_text=True).endswith("# EOF\n")


def get(port: int, path: str, token: str | None = None) -> tuple[int, bytes]:
    """One request on a new connection (so any worker may take it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token
                           else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def by_worker(folder: Path, key: tuple[str, tuple]) -> dict[int, float]:
    """The sample `key` as each worker's own files hold it, by pid."""
    found = {}
    for path in folder.glob("counter_*.db"):
        for metric in MultiProcessCollector.merge([str(path)]):
            for sample in metric.samples:
                if (sample.name, tuple(sorted(sample.labels.items()))) == key:
                    found[int(path.stem.rsplit("_", 1)[1])] = sample.value
    return found


@pytest.mark.server
def test_every_worker_is_counted_and_a_dead_workers_counts_stay(sqlite_template: Path,
                                                                 tmp_path: Path):
    shutil.copy(sqlite_template, tmp_path / "customers.sqlite3")
    url = f"sqlite:///{tmp_path / 'customers.sqlite3'}"
    with app_on(url) as app:
        token = new_token(app, "prometheus", "read")
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"left by an earlier run")  # wiped at start
    env = server_environment(url, PROMETHEUS_MULTIPROC_DIR=str(folder))
    pidfile = tmp_path / "gunicorn.pid"
    key = requests("GET", "/readyz", 200)  # not /healthz, which the start-up polls
    with gunicorn(env, "--pid", str(pidfile), workers=2, log=tmp_path / "gunicorn.log") as base:
        port = int(base.rsplit(":", 1)[1])
        workers = wait_for_workers(master_pid(pidfile), 2)
        sent = 0
        while sent < 100 or not all(by_worker(folder, key).get(pid) for pid in workers):
            assert sent < 2000, by_worker(folder, key)  # both workers take some, sooner or later
            assert get(port, "/readyz")[0] == 200
            sent += 1
        # Whichever worker answers the scrape, it adds up both (and every scrape agrees).
        counts = {samples(get(port, "/metrics", token)[1].decode())[key] for _ in range(6)}
        assert counts == {float(sent)}
        os.kill(min(workers), signal.SIGKILL)
        wait_for_workers(master_pid(pidfile), 2, without={min(workers)})
        for _ in range(20):
            assert get(port, "/readyz")[0] == 200
        assert samples(get(port, "/metrics", token)[1].decode())[key] == sent + 20
    assert not (folder / "counter_1.db").exists()
