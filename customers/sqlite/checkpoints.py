"""SQLite WAL checkpoints off the request path.

A commit that finds the WAL at wal_autocheckpoint pages copies them into the database before
it returns, while every other writer waits on the writer lock: that copy was most of the
slowest 1 % of PUTs. Here a thread in each worker copies the WAL's pages in the background
(a PASSIVE checkpoint takes no lock a writer needs, and sqlite3 lets go of the GIL while it
runs), woken every WAKE_EVERY writes. The commit that still reaches wal_autocheckpoint then
finds nearly every page copied already: it finishes the checkpoint in a fraction of the
time, under the writer lock, and the next writer starts the WAL over.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path

WAKE_EVERY = 32  # writes of this process between two background checkpoints
IDLE_SECONDS = 30.0  # a thread with nothing to do for this long ends (and a new one starts later)
MAX_FAILURES = 3  # checkpoints failing in a row before the thread gives up

_log = logging.getLogger(__name__)
_registry_lock = threading.Lock()
_threads: dict[tuple[str, int], "Checkpointer"] = {}


def _after_fork_in_child() -> None:
    """A child starts with no checkpointer, and with a registry lock no thread of the parent
    can be holding."""
    global _registry_lock
    _registry_lock = threading.Lock()
    _threads.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


def wrote(path: str) -> None:
    """A write to the SQLite file at `path` was committed by this process: every
    WAKE_EVERY of them, wake this process's checkpointer of that file (started on the first
    wake-up, so a process that writes little never starts one)."""
    key = (path, os.getpid())
    checkpointer = _threads.get(key)
    if checkpointer is None:
        with _registry_lock:
            checkpointer = _threads.setdefault(key, Checkpointer(path, key))
    checkpointer.writes += 1  # not atomic across threads: it only paces the wake-ups
    if checkpointer.writes % WAKE_EVERY == 0:
        if checkpointer.ident is None and not _start(checkpointer):
            return
        checkpointer.wake.set()


def _start(checkpointer: "Checkpointer") -> bool:
    """Start the thread once; False, and a warning, when the process can start no more
    (the write is done: it must not fail for this; the next wake-up tries again)."""
    with _registry_lock:
        if checkpointer.ident is None:
            try:
                checkpointer.start()
            except RuntimeError as error:
                _log.warning("no background WAL checkpoints of %s: %s", checkpointer.path, error)
                return False
    return True


class Checkpointer(threading.Thread):
    """Copies one database's WAL into it whenever woken; ends when idle or failing."""

    def __init__(self, path: str, key: tuple[str, int]) -> None:
        super().__init__(name=f"wal-checkpoint {path}", daemon=True)
        self.path, self.key = path, key
        self.writes = 0
        self.wake = threading.Event()

    def run(self) -> None:
        try:
            # mode=rw: a database file that is gone is an error, not a new empty file.
            connection = sqlite3.connect(f"{Path(self.path).absolute().as_uri()}?mode=rw", uri=True)
        except sqlite3.Error as error:
            return self._give_up(error)
        failures = 0
        try:
            connection.execute("PRAGMA synchronous=NORMAL")  # as the app's connections
            while self._woken():
                try:
                    # PASSIVE copies what it can and never waits for another connection.
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    failures = 0
                except sqlite3.Error as error:
                    failures += 1
                    if failures >= MAX_FAILURES:
                        return self._give_up(error)
        except sqlite3.Error as error:
            self._give_up(error)
        finally:
            connection.close()

    def _give_up(self, error: Exception) -> None:
        """The file went away or the disk keeps failing. This thread stays registered, ended:
        no new one is started for the file, and its commits checkpoint it as SQLite would."""
        _log.warning("background WAL checkpoints of %s stopped: %s", self.path, error)

    def _woken(self) -> bool:
        """Wait for a wake-up; False (and out of the registry, so that the next write makes
        a new thread) after IDLE_SECONDS without one."""
        while not self.wake.wait(IDLE_SECONDS):
            with _registry_lock:
                if not self.wake.is_set():
                    if _threads.get(self.key) is self:
                        del _threads[self.key]
                    return False
        self.wake.clear()
        return True
