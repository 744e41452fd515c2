"""A throwaway PostgreSQL cluster a test can stop and start again (see TOOLING.md)."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import unavailable
from tests.servers import free_port


def binaries() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    found = [path for path in found if (path / "pg_ctl").exists()]
    return max(found, key=lambda path: int(path.parent.name), default=None)


class Cluster:
    """One initdb'd data folder on a loopback port; `stop()` and `start()` as often as needed."""

    def __init__(self, bin_dir: Path, folder: Path):
        self.bin_dir, self.folder, self.port = bin_dir, folder, free_port()
        self.data = folder / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, tool: str, *args: str) -> None:
        """Run a PostgreSQL tool as the postgres user (initdb refuses root)."""
        command = [str(self.bin_dir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{tool} failed: {result.stdout}{result.stderr}"

    def init(self) -> None:
        """Create the cluster: trust on loopback, no fsync (a test's data need not survive)."""
        self.run("initdb", "--no-sync", "-A", "trust", "-U", "postgres", "-D", str(self.data))

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=60")
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w",
                 "-t", "30", "-o", options, "start")

    def stop(self) -> None:
        """Stop the server the way an outage would: open sessions are cut off."""
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")


@contextmanager
def cluster() -> Iterator[Cluster]:
    """A started cluster in a fresh folder under /tmp, removed afterwards."""
    bin_dir = binaries()
    if bin_dir is None:
        unavailable("postgres", "no /usr/lib/postgresql/<version>/bin/initdb")
    # pytest's tmp folders are mode 700: the postgres user could not enter them.
    folder = Path(tempfile.mkdtemp(prefix="customers-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    pg = Cluster(bin_dir, folder)
    try:
        pg.init()
        pg.start()
        yield pg
    finally:
        if (pg.data / "postmaster.pid").exists():
            pg.stop()
        shutil.rmtree(folder, ignore_errors=True)
