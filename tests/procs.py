"""gunicorn's processes seen from outside: the master's pid file and its workers."""
from __future__ import annotations

import os
import time
from pathlib import Path


def master_pid(pidfile: Path) -> int:
    """The master's pid, from the file `--pid` names."""
    return int(pidfile.read_text().strip())


def children(pid: int) -> set[int]:
    """Live processes whose parent is `pid` (the master's workers)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it exited while we looked
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def wait_for_workers(pid: int, count: int, without: set[int] = frozenset(),
                     seconds: float = 20) -> set[int]:
    """Wait until the master has `count` workers, none of them in `without`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        workers = children(pid)
        if len(workers) == count and not workers & without:
            return workers
        time.sleep(0.05)
    raise AssertionError(f"master {pid} has workers {children(pid)}, wanted {count} new ones")



def established_connections(pid: int, port: int) -> int:
    """How many established TCP connections process `pid` holds on its local `port` (a
    worker's clients; not its own connections to a database)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed while we looked
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0  # /proc/net/tcp: local address, remote, state (01: ESTABLISHED), ..., inode
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            count += fields[3] == "01" and local_port == port and fields[9] in inodes
    return count
