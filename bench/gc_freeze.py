"""Does gc.freeze in post_worker_init earn its keep? Collections and memory, with and without.

    python bench/gc_freeze.py [--puts 20000] [--rounds 2]

On one SQLite database of 10,000 customers it starts `gunicorn wsgi:app` (2 workers, the
project's settings through bench/gc_counting.conf.py) once with each worker collecting and
freezing what it holds after start-up and once without, alternately, drives each with wrk's
JSON PUTs (bench/load.lua) until --puts have been served, reads the workers' memory, stops
the server and prints each worker's collections by generation (count, total and longest pause,
in CPU time, by gc.callbacks), the objects promoted to the oldest generation since start-up
(Python starts a full collection once they outnumber a quarter of what the last one left
there), the CPU time one full collection takes it at exit (what a freeze saves each time one
happens), and its memory: resident, proportional (PSS: shared pages split between the
processes sharing them) and private.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import databases
from load import APPS, Server, wrk
from tests.servers import gunicorn_process

HERE = Path(__file__).resolve().parent
ROWS = 10_000
VARIANTS = ("freeze", "none")


def main() -> int:
    """Both variants, alternately, `--rounds` times each; one line per worker."""
    args = arguments()
    folder = Path(tempfile.mkdtemp(prefix="customers-gc-"))
    try:
        url = databases.sqlite_database(folder, ROWS)
        token = databases.write_token(url)
        print("variant  worker  PUTs     gen0 n/ms        gen1 n/ms     gen2 n/ms (longest)"
              "   frozen  promoted  full ms  RSS MiB  PSS MiB  private MiB")
        for round_ in range(args.rounds):
            for variant in VARIANTS:
                run(variant, url, token, args.puts, folder / f"{variant}-{round_}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--puts", type=int, default=20_000, help="PUTs served per run")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each variant")
    return parser.parse_args()


def run(variant: str, url: str, token: str, puts: int, folder: Path) -> None:
    """One server with one variant: drive it, read its workers, stop it, print the tallies."""
    folder.mkdir()
    env = {**databases.environment(url), "BENCH_GC": variant, "BENCH_GC_DIR": str(folder)}
    name, *options = APPS["ours"]
    with gunicorn_process(env, "-c", str(HERE / "gc_counting.conf.py"), *options, app=name,
                          log=folder.parent / "gunicorn.log") as (base, process):
        server = Server(base, process)
        served = 0
        while served < puts:
            served += wrk(server, "json", token, ROWS, 5, databases.references(ROWS)).requests
        memory = {pid: smaps(pid) for pid in server.workers()}
    for report in sorted(folder.glob("*.json")):
        pid = int(report.stem)
        tally = json.loads(report.read_text())
        print(line(variant, pid, served, tally, memory.get(pid, {})), flush=True)


def smaps(pid: int) -> dict[str, int]:
    """Rss, Pss and private pages of a process, in KiB (/proc/PID/smaps_rollup)."""
    fields = {}
    for row in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = row.split(":", 1)
        fields[key] = int(value.split()[0])
    return {"rss": fields["Rss"], "pss": fields["Pss"],
            "private": fields["Private_Clean"] + fields["Private_Dirty"]}


def line(variant: str, pid: int, served: int, report: dict, memory: dict[str, int]) -> str:
    """One worker's figures."""
    gens = [report["tally"][str(g)] for g in range(3)]
    counts = [f"{g['collections']:>5} / {g['seconds'] * 1e3:7.1f}" for g in gens[:2]]
    full = (f"{gens[2]['collections']:>3} / {gens[2]['seconds'] * 1e3:6.1f} "
            f"({gens[2]['longest'] * 1e3:.1f})")
    mib = [f"{memory.get(key, 0) / 1024:8.1f}" for key in ("rss", "pss", "private")]
    return (f"{variant:<8} {pid:>6}  {served:>6}  {counts[0]}  {counts[1]}  {full:<22}"
            f"{report['frozen']:>7}  {report['promoted']:>8}  {report['full_collection'] * 1e3:7.1f}  " + " ".join(mib))


if __name__ == "__main__":
    sys.exit(main())
