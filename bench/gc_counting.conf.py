"""The project's gunicorn.conf.py, plus a tally of the garbage collector's work in each worker.

For bench/gc_freeze.py: `gunicorn -c bench/gc_counting.conf.py ...`. BENCH_GC=freeze makes
each worker collect and freeze what it holds once it has built the app; BENCH_GC=none leaves
the collector as Python starts it. Each worker writes its tally to BENCH_GC_DIR/<pid>.json
when it exits.
"""
import gc
import json
import os
import time
from pathlib import Path

_deployed = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
exec(compile(_deployed.read_text(), str(_deployed), "exec"))

_started: list[float] = []
_oldest_at_start: list[int] = []
_tally = {generation: {"collections": 0, "seconds": 0.0, "longest": 0.0} for generation in range(3)}


def _record(phase: str, info: dict) -> None:
    """gc.callbacks: each collection's CPU time (a wall clock would count other processes), by
    generation."""
    if phase == "start":
        _started.append(time.thread_time())
        return
    seconds = time.thread_time() - _started.pop()
    entry = _tally[info["generation"]]
    entry["collections"] += 1
    entry["seconds"] += seconds
    entry["longest"] = max(entry["longest"], seconds)


def post_worker_init(_worker: object) -> None:  # the deployed file defines none
    """The variant under test, then the tally from here on."""
    if os.environ["BENCH_GC"] == "freeze":
        gc.collect()
        gc.freeze()
    _oldest_at_start.append(len(gc.get_objects(generation=2)))
    gc.callbacks.append(_record)


def worker_exit(_server: object, worker: object) -> None:
    """The tally, and what the collector tracks, written where bench/gc_freeze.py reads it."""
    if os.getpid() != worker.pid:  # the master reaping a worker that died: nothing to tell
        return
    gc.callbacks.remove(_record)
    # Survivors promoted to the oldest generation since start-up: Python starts a full
    # collection only once they outnumber a quarter of what the last one left there.
    promoted = len(gc.get_objects(generation=2)) - _oldest_at_start[0]
    started = time.thread_time()
    gc.collect()  # what one full collection would cost this worker now
    report = {"tally": _tally, "frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects()),
              "full_collection": time.thread_time() - started, "promoted": promoted}
    path = Path(os.environ["BENCH_GC_DIR"]) / f"{os.getpid()}.json"
    path.write_text(json.dumps(report))
