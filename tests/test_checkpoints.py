"""SQLite WAL checkpoints in the background: the database file catches up without a commit
having to copy the WAL, and idle checkpointer threads go away."""
from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time

import pytest

from customers.sqlite import checkpoints
from tests.client import Api
from tests.conftest import app_on, new_token


@pytest.fixture
def sqlite_api(sqlite_template, tmp_path):
    path = tmp_path / "checkpoints.sqlite3"
    shutil.copy(sqlite_template, path)
    with app_on(f"sqlite:///{path}") as app:
        yield path, Api(app.test_client(), new_token(app, "writer", "write"))


def in_database_file(path, customer_id: str) -> str | None:
    """The city of a customer as the database file itself holds it, WAL ignored."""
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as connection:
        row = connection.execute("SELECT address_city FROM customers WHERE id = ?",
                                 (int(customer_id),)).fetchone()
    return row[0] if row else None


def wait_for(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def checkpointer_threads(path) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"wal-checkpoint {path}"]


def test_writes_reach_the_database_file_without_an_autocheckpoint(sqlite_api):
    path, api = sqlite_api
    record = api.create()
    for n in range(checkpoints.WAKE_EVERY - 1):  # with the create: far below 1,000 WAL pages
        assert api.send("PUT", f"/customers/{record['id']}", {"addressCity": f"city {n}"}).status_code == 200
    last = f"city {checkpoints.WAKE_EVERY - 2}"  # the write that woke the thread
    assert wait_for(lambda: in_database_file(path, record["id"]) == last)
    assert api.get(record["id"])["addressCity"] == last


def test_fewer_writes_start_no_thread(sqlite_api):
    path, api = sqlite_api
    record = api.create()
    for _ in range(checkpoints.WAKE_EVERY - 2):  # with the create, one write short of a wake-up
        api.send("PUT", f"/customers/{record['id']}", {"gender": "other"})
    assert checkpointer_threads(path) == []
    assert in_database_file(path, record["id"]) is None  # still only in the WAL


def test_an_idle_checkpointer_ends_and_the_next_writes_start_another(sqlite_api, monkeypatch):
    monkeypatch.setattr(checkpoints, "IDLE_SECONDS", 0.2)
    path, api = sqlite_api
    record = api.create()
    for round_ in range(2):
        for _ in range(checkpoints.WAKE_EVERY):
            api.send("PUT", f"/customers/{record['id']}", {"addressCity": f"round {round_}"})
        assert wait_for(lambda: in_database_file(path, record["id"]) == f"round {round_}")
        assert wait_for(lambda: checkpointer_threads(path) == [])


def test_a_thread_that_cannot_start_fails_no_write(sqlite_api, monkeypatch, caplog):
    def refuse(_thread):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(checkpoints.Checkpointer, "start", refuse)
    path, api = sqlite_api
    record = api.create()
    for n in range(checkpoints.WAKE_EVERY + 1):
        assert api.send("PUT", f"/customers/{record['id']}", {"addressCity": f"city {n}"}).status_code == 200
    assert api.get(record["id"])["addressCity"] == f"city {checkpoints.WAKE_EVERY}"
    assert "no background WAL checkpoints" in caplog.text and checkpointer_threads(path) == []


def test_a_database_file_that_is_gone_stops_the_thread_and_is_not_made_anew(sqlite_api, caplog):
    path, api = sqlite_api
    record = api.create()
    for _ in range(checkpoints.WAKE_EVERY - 2):  # with the create, one write short of a wake-up
        api.send("PUT", f"/customers/{record['id']}", {"gender": "other"})
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        name.unlink()  # the app's open connection still writes to the unlinked file
    assert api.send("PUT", f"/customers/{record['id']}", {"gender": "male"}).status_code == 200
    assert wait_for(lambda: "background WAL checkpoints" in caplog.text)
    assert wait_for(lambda: checkpointer_threads(path) == []) and not path.exists()


def test_a_forked_child_starts_with_a_free_registry_lock():
    with checkpoints._registry_lock:
        pid = os.fork()
        if pid == 0:  # the child: a lock held by the parent's thread would never be released
            os._exit(0 if checkpoints._registry_lock.acquire(timeout=2) else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_creates_count_as_writes_too(sqlite_api):
    path, api = sqlite_api
    created = [api.create(addressCity=f"new {n}") for n in range(checkpoints.WAKE_EVERY)]
    last = created[-1]
    assert wait_for(lambda: in_database_file(path, last["id"]) == last["addressCity"])
