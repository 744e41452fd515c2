"""gunicorn.conf.py: valid, read from the environment, overridden by the command line."""
from __future__ import annotations

import multiprocessing
import os
import re
import runpy
import shutil
import signal
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from gunicorn.config import Config

from tests.loadgen import create_customers, issue_write_token, run_clients
from tests.procs import master_pid, wait_for_workers
from tests.servers import BIN, ROOT, gunicorn, server_environment

CONFIG_FILE = ROOT / "gunicorn.conf.py"


def settings(monkeypatch: pytest.MonkeyPatch, **environ: str) -> Config:
    """gunicorn's view of gunicorn.conf.py under this environment (validated as gunicorn does)."""
    for name in ("BIND", "PORT", "WEB_CONCURRENCY", "GUNICORN_WORKERS", "GUNICORN_TIMEOUT",
                 "GUNICORN_GRACEFUL_TIMEOUT", "GUNICORN_CONTROL_SOCKET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    config = Config()
    for name, value in runpy.run_path(str(CONFIG_FILE)).items():
        if name in config.settings:
            config.set(name, value)
    return config


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "customers.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def test_check_config_passes(sqlite_url: str):
    result = subprocess.run([str(BIN / "gunicorn"), "--check-config", "wsgi:app"], cwd=ROOT,
                            env=server_environment(sqlite_url), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_defaults(monkeypatch):
    config = settings(monkeypatch)
    assert config.bind == ["127.0.0.1:8000"]
    assert config.workers == multiprocessing.cpu_count() * 2 + 1
    assert (config.timeout, config.graceful_timeout) == (30, 30)
    assert config.accesslog == "-" and config.control_socket_disable
    assert config.logconfig_dict["handlers"]["access"]["stream"] == "ext://sys.stdout"
    # gunicorn must not honour X-Forwarded-* itself: only ProxyFix, when PROXY_HOPS says so.
    assert config.forwarded_allow_ips == []


@pytest.mark.parametrize(("environ", "expected"), [
    ({"GUNICORN_WORKERS": "3", "WEB_CONCURRENCY": "9"}, {"workers": 3}),
    ({"WEB_CONCURRENCY": "6"}, {"workers": 6}),
    ({"PORT": "9000"}, {"bind": ["0.0.0.0:9000"]}),
    ({"BIND": "unix:/run/customers.sock, 127.0.0.1:8081", "PORT": "9000"},
     {"bind": ["unix:/run/customers.sock", "127.0.0.1:8081"]}),
    ({"GUNICORN_TIMEOUT": "12", "GUNICORN_GRACEFUL_TIMEOUT": "7"},
     {"timeout": 12, "graceful_timeout": 7}),
    ({"GUNICORN_CONTROL_SOCKET": "/run/customers.ctl"},
     {"control_socket_disable": False, "control_socket": "/run/customers.ctl"}),
])
def test_settings_come_from_the_environment(monkeypatch, environ, expected):
    config = settings(monkeypatch, **environ)
    assert {name: getattr(config, name) for name in expected} == expected


def test_a_malformed_number_is_refused_by_name(monkeypatch):
    with pytest.raises(RuntimeError, match="GUNICORN_WORKERS"):
        settings(monkeypatch, GUNICORN_WORKERS="many")


def test_access_log_format_names_client_request_id_and_duration(monkeypatch):
    log_format = settings(monkeypatch).access_log_format
    atoms = set(re.findall(r"%\([^)]+\)s", log_format))
    assert {"%(h)s", "%({x-request-id}o)s", "%(L)s", "%(s)s"} <= atoms


@pytest.mark.server
def test_the_command_line_wins_and_the_access_log_names_the_request(sqlite_url, tmp_path):
    # An address nobody here can bind: the server only comes up if --bind wins over BIND.
    env = server_environment(sqlite_url, BIND="192.0.2.1:8000", GUNICORN_WORKERS="1")
    request_id = uuid.uuid4().hex
    with gunicorn(env, log=tmp_path / "gunicorn.log") as url:
        request = urllib.request.Request(f"{url}/healthz", headers={"X-Request-ID": request_id})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["X-Request-ID"] == request_id
    log = (tmp_path / "gunicorn.log").read_text()
    assert re.search(rf'^127\.0\.0\.1 {request_id} \[.+\] "GET /healthz HTTP/1\.1" 200 ', log, re.M)


@pytest.mark.server
@pytest.mark.load
def test_a_graceful_restart_under_load_drops_nothing(sqlite_url, tmp_path):
    token = issue_write_token(sqlite_url, "reloader")
    pidfile = tmp_path / "gunicorn.pid"
    replaced: dict[str, float] = {}
    with gunicorn(server_environment(sqlite_url), "--pid", str(pidfile), workers=2,
                  log=tmp_path / "gunicorn.log") as url:
        master = master_pid(pidfile)
        old = wait_for_workers(master, 2)

        def reload() -> None:
            time.sleep(1)
            sent = time.monotonic()
            os.kill(master, signal.SIGHUP)
            wait_for_workers(master, 2, without=old)
            replaced["seconds"] = time.monotonic() - sent

        ids = create_customers(url, token, 8)
        tally = run_clients(url, token, [ids[n::8] for n in range(8)], 4, reload)
    print(f"\n[HUP] {len(tally.outcomes)} requests across a reload, statuses "
          f"{dict(tally.statuses())}, workers replaced in {replaced['seconds']:.2f}s")
    assert set(tally.statuses()) == {200}
