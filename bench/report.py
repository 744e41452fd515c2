"""The printed table of a bench run and its targets."""
from __future__ import annotations

import argparse
import os
import platform
import statistics
from typing import Any

from load import Result

Measurements = dict[Any, Any]


def combined(runs: list[Result]) -> tuple[float, float, float]:
    """Requests per second over all runs, and the median run's p50 and p99 (ms): one run
    hit by something else on the machine should not decide the tail."""
    rate = sum(r.requests for r in runs) / sum(r.seconds for r in runs)
    return rate, statistics.median(r.p50_ms for r in runs), statistics.median(r.p99_ms for r in runs)


def machine() -> str:
    """nproc and the CPU model, as /proc/cpuinfo names it."""
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores, {model}"


def print_report(results: Measurements, args: argparse.Namespace) -> int:
    """The table, then every target with its measure; 2 if one was missed."""
    print(f"\nmachine: {machine()}; wrk {os.environ.get('BENCH_WRK', '1x4')} (threads x connections), "
          f"{args.seconds:g} s per run, {args.rounds} rounds of ours/raw, 2 gunicorn workers each")
    print(f"{'database':9} {'customers':>10}  {'case':16} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}")
    for (database, rows), case in ((k, v) for k, v in results.items() if isinstance(k, tuple)):
        for name, runs in case.items():
            rate, p50, p99 = combined(runs)
            print(f"{database:9} {rows:>10,}  {name:16} {rate:8.0f} {p50:7.2f} {p99:7.2f}")
    checks = list(targets(results))
    print(f"\n{'target':66} {'measured':>9} {'goal':>9}")
    for label, value, goal, ok in checks:
        print(f"{label:66} {value:9.2f} {goal:>9} {'ok' if ok else 'MISSED'}")
    return 0 if all(ok for *_, ok in checks) else 2


def targets(results: Measurements):
    """(label, measured, goal, met) for every target the run can judge."""
    cases = {k: v for k, v in results.items() if isinstance(k, tuple)}
    for (database, rows), case in cases.items():
        ours, p50, p99 = combined(case["PUT json ours"])
        raw, raw_p50, raw_p99 = combined(case["PUT json raw"])
        yield f"{database} {rows:,}: JSON PUT ours / raw", ours / raw, ">= 0.50", ours / raw >= 0.5
        yield (f"{database} {rows:,}: JSON PUT p99 / p50 (raw WSGI: {raw_p99 / raw_p50:.2f})",
               p99 / p50, "<= 2.50", p99 / p50 <= 2.5)
        for mode in ("xml", "form"):
            share = combined(case[f"PUT {mode} ours"])[0] / ours
            yield f"{database} {rows:,}: {mode} PUT / JSON PUT", share, ">= 0.80", share >= 0.8
    yield from scaling(cases)
    yield from pooled(cases)
    if "memory" in results:
        yield memory_target(results["memory"])


def scaling(cases: Measurements):
    """The largest size against the smallest, per database."""
    for database in sorted({database for database, _ in cases}):
        sizes = sorted(rows for db, rows in cases if db == database)
        if len(sizes) < 2:
            continue
        small, large = cases[(database, sizes[0])], cases[(database, sizes[-1])]
        for name, limit in (("PUT json ours", 0.05), ("GET list ours", 0.20), ("GET count ours", 0.20)):
            ratio = combined(large[name])[0] / combined(small[name])[0]
            label = f"{database}: {name.replace(' ours', '')} {sizes[-1]:,} vs {sizes[0]:,}"
            if name == "PUT json ours":  # what the database itself does at that size, for reference
                raw = combined(large["PUT json raw"])[0] / combined(small["PUT json raw"])[0]
                label += f" (raw WSGI: {raw:.2f})"
            yield label, ratio, f">= {1 - limit:.2f}", ratio >= 1 - limit


def pooled(cases: Measurements):
    """PostgreSQL through PgBouncer against PostgreSQL directly, per size: what the pooler's
    hop costs (no target: it is reported beside the direct case)."""
    for database, rows in cases:
        if database != "pgbouncer" or ("postgres", rows) not in cases:
            continue
        direct, through = cases[("postgres", rows)], cases[(database, rows)]
        raw = combined(through["PUT json raw"])[0] / combined(direct["PUT json raw"])[0]
        ratio = combined(through["PUT json ours"])[0] / combined(direct["PUT json ours"])[0]
        # Worker CPU per request moves less with the machine's load than throughput does.
        cpu = [statistics.mean(r.cpu_us for r in case["PUT json ours"]) for case in (direct, through)]
        yield (f"{rows:,}: JSON PUT through PgBouncer / direct (raw WSGI: {raw:.2f}; worker CPU "
               f"{cpu[1]:.0f} vs {cpu[0]:.0f} us/PUT)", ratio, "(none)", True)


def memory_target(memory: dict[str, Any]):
    """The largest growth of a worker between the two readings."""
    growth = max((memory["last"].get(pid, 0) / kib - 1 for pid, kib in memory["first"].items()),
                 default=float("inf"))
    readings = ", ".join(f"{memory['first'][p] / 1024:.1f}->{memory['last'].get(p, 0) / 1024:.1f} MiB"
                         for p in memory["first"])
    label = f"worker RSS after {memory['late']:,} vs {memory['early']:,} requests ({readings})"
    return label, growth, "<= 0.10", abs(growth) <= 0.10
