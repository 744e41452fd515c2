"""SQLite writers queue on a lock file beside the database; without one, writes still work."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from customers.extensions import db
from tests.client import Api
from tests.conftest import make_app, new_token


@pytest.fixture
def sqlite_app(sqlite_template: Path, tmp_path: Path):
    path = tmp_path / "customers.sqlite3"
    shutil.copy(sqlite_template, path)
    app = make_app(f"sqlite:///{path}")
    yield app, path
    with app.app_context():
        db.engine.dispose()


def put_and_delete(app) -> None:
    api = Api(app.test_client(), new_token(app, "writer", "write"))
    record = api.create(addressCity="Recife")
    response = api.send("PUT", f"/customers/{record['id']}", {"addressCity": "Olinda"})
    assert response.status_code == 200 and response.get_json()["addressCity"] == "Olinda"
    assert api.send("DELETE", f"/customers/{record['id']}").status_code == 200


def test_writes_take_the_lock_file_beside_the_database(sqlite_app):
    app, path = sqlite_app
    put_and_delete(app)
    assert Path(f"{path}-writer.lock").is_file()


def test_writes_work_where_no_lock_file_can_be_made(sqlite_app):
    app, path = sqlite_app
    Path(f"{path}-writer.lock").mkdir()  # a folder where the lock file would go
    put_and_delete(app)
