"""PgBouncer in transaction pooling mode in front of a test's PostgreSQL, with its defaults."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tests.conftest import unavailable
from tests.servers import free_port

if TYPE_CHECKING:
    from tests.pgcluster import Cluster

# Only what a deployment must say (where to listen, whom to trust, the pooling mode): every
# other setting is PgBouncer's default, `ignore_startup_parameters` included (none ignored).
CONFIG = """\
[databases]
{database} = host=127.0.0.1 port={server_port} dbname={database}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir = {folder}
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
pidfile = {folder}/pgbouncer.pid
logfile = {folder}/pgbouncer.log
{extra}"""


class Bouncer:
    """Where PgBouncer listens, the database it pools, and its log."""

    def __init__(self, folder: Path, database: str):
        self.folder, self.database, self.port = folder, database, free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def log(self) -> str:
        """What PgBouncer has logged so far."""
        path = self.folder / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""


def binary() -> str | None:
    """Debian's pgbouncer (in /usr/sbin, which a root PATH has and a user's may not)."""
    return shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer", "/usr/local/bin/pgbouncer") if Path(p).exists()), None)


@contextmanager
def pgbouncer(server_port: int, database: str, **settings: str) -> Iterator[Bouncer]:
    """PgBouncer pooling `database` of the PostgreSQL on `server_port` (`settings` are added
    to its [pgbouncer] section), stopped and removed afterwards."""
    program = binary()
    if program is None:
        unavailable("postgres", "pgbouncer is not installed (Debian package pgbouncer)")
    # PgBouncer refuses to run as root; the postgres user must be able to enter its folder.
    folder = Path(tempfile.mkdtemp(prefix="customers-pgbouncer-"))
    bouncer = Bouncer(folder, database)
    (folder / "userlist.txt").write_text('"postgres" ""\n')
    extra = "".join(f"{key} = {value}\n" for key, value in settings.items())
    config = folder / "pgbouncer.ini"
    config.write_text(CONFIG.format(database=database, server_port=server_port, port=bouncer.port,
                                    folder=folder, extra=extra))
    command = [program, str(config)]
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        for path in folder.iterdir():
            shutil.chown(path, "postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    with open(folder / "stderr.log", "wb") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        wait_for_port(bouncer, process)
        yield bouncer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def wait_for_port(bouncer: Bouncer, process: subprocess.Popen, seconds: float = 10) -> None:
    """Wait until PgBouncer accepts connections."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = (bouncer.folder / "stderr.log").read_text(errors="replace")
            raise RuntimeError(f"pgbouncer exited: {stderr}{bouncer.log()}")
        try:
            socket.create_connection(("127.0.0.1", bouncer.port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"pgbouncer did not listen on {bouncer.port} within {seconds}s")


class Pooled:
    """A throwaway cluster, PgBouncer in front of its database `customers`, migrated through it."""

    def __init__(self, pg: "Cluster", bouncer: Bouncer):
        self.pg, self.bouncer = pg, bouncer
        # Straight to PostgreSQL, for what a test does behind the service's back.
        self.direct_url = f"postgresql://postgres@127.0.0.1:{pg.port}/{bouncer.database}"


@contextmanager
def pooled_database(**settings: str) -> Iterator[Pooled]:
    """A cluster and PgBouncer (with `settings`), the schema made by `flask db upgrade`
    through PgBouncer, as an operator would."""
    import psycopg

    from tests.pgcluster import cluster
    from tests.servers import flask_command, server_environment

    with cluster() as pg:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{pg.port}/postgres",
                             autocommit=True) as admin:
            admin.execute("CREATE DATABASE customers")
        with pgbouncer(pg.port, "customers", **settings) as bouncer:
            flask_command(server_environment(bouncer.url), "db", "upgrade")
            yield Pooled(pg, bouncer)
