"""Instructions per PUT, counted by valgrind's callgrind: ours (JSON, XML, form) and the raw app.

    python bench/instructions.py [--count 200] [--warmup 50] [--compare REV_OR_FOLDER]

For each app it seeds a SQLite database (migrated by the tree measured), then runs
bench/count_puts.py under `valgrind --tool=callgrind --instr-atstart=no`: the PUTs are direct
WSGI calls in one process, after a warm-up, and a C shim around callgrind's client requests
(compiled here with cc) turns instrumentation on around exactly the counted calls. Machine
load does not change the counts, so one device is measured by toggling it: `--compare REV`
runs the same count on a git worktree of another revision (or on a folder) and prints both.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import databases
from count_puts import FORMATS

HERE = Path(__file__).resolve().parent
SHIM = """#include <valgrind/callgrind.h>
void start(void) { CALLGRIND_START_INSTRUMENTATION; }
void stop(void) { CALLGRIND_STOP_INSTRUMENTATION; }
void dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""
Counts = dict[tuple[str, str], float]  # (app, format) -> instructions per PUT


def main() -> int:
    """Count every case on this tree (and on the compared one); print the table."""
    args = arguments()
    folder = Path(tempfile.mkdtemp(prefix="customers-instructions-"))
    try:
        shim = compile_shim(folder)
        with ExitStack() as stack:
            trees = {}  # the compared tree first, so "change" reads from it to this one
            if args.compare:
                other = stack.enter_context(checkout(args.compare, folder))
                trees[describe(other, args.compare)] = other
            this = describe(databases.ROOT)
            trees[this + " (again)" if this in trees else this] = databases.ROOT
            results = {label: count_tree(tree, shim, folder / str(n), args)
                       for n, (label, tree) in enumerate(trees.items())}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print_table(results, args.count)
    return 0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="PUTs counted per case")
    parser.add_argument("--warmup", type=int, default=50, help="PUTs before counting, per case")
    parser.add_argument("--compare", help="a git revision (or a source folder) to count too")
    return parser.parse_args()


def compile_shim(folder: Path) -> Path:
    """The shared library whose start(), stop() and dump(name) are callgrind's client requests."""
    source, library = folder / "shim.c", folder / "shim.so"
    source.write_text(SHIM)
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", str(library), str(source)], check=True)
    return library


@contextmanager
def checkout(revision: str, folder: Path) -> Iterator[Path]:
    """A folder as it is, or a detached git worktree of `revision`, removed afterwards."""
    if Path(revision).is_dir():
        yield Path(revision).resolve()
        return
    tree = folder / "compared"
    git = ["git", "-C", str(databases.ROOT)]
    subprocess.run([*git, "worktree", "add", "--detach", str(tree), revision], check=True,
                   capture_output=True)
    try:
        yield tree
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(tree)], check=False)


def describe(tree: Path, name: str | None = None) -> str:
    """The tree's commit, short, with `+changes` when its files differ from it."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(tree), *args], capture_output=True, text=True)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or (name or str(tree))
    return commit + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def count_tree(tree: Path, shim: Path, folder: Path, args: argparse.Namespace) -> Counts:
    """Every case of one tree, each app on its own fresh database."""
    folder.mkdir()
    counts: Counts = {}
    for app, formats in FORMATS.items():
        rows = len(formats) * (args.warmup + args.count)
        print(f"{describe(tree)}: {app} ...", file=sys.stderr, flush=True)
        (folder / app).mkdir()
        url = databases.sqlite_database(folder / app, rows, root=tree)
        token = databases.write_token(url, root=tree)
        for fmt, instructions in callgrind(tree, app, url, token, shim, folder / app, args).items():
            counts[(app, fmt)] = instructions / args.count
    return counts


def callgrind(tree: Path, app: str, url: str, token: str, shim: Path, folder: Path,
              args: argparse.Namespace) -> dict[str, int]:
    """Run count_puts.py under callgrind; the instructions of each dumped part, by format."""
    out = folder / "callgrind.out"
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
               sys.executable, str(HERE / "count_puts.py"), str(tree), app, str(args.count),
               str(args.warmup)]
    # A fixed hash seed: string hashes, and so dict and set probing, the same in every run.
    env = {**databases.environment(url), "BENCH_TOKEN": token, "BENCH_SHIM": str(shim),
           "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"callgrind run of {app} failed:\n{done.stderr[-3000:]}")
    parts = {}
    for part in folder.glob("callgrind.out.*"):
        text = part.read_text()
        name = re.search(r"^desc: Trigger: Client Request: (\S+)$", text, re.M)
        total = re.search(r"^totals: (\d+)", text, re.M)
        if name and total:
            parts[name.group(1)] = int(total.group(1))
    return parts


def print_table(results: dict[str, Counts], count: int) -> None:
    """Millions of instructions per PUT by case; the change and ours/raw beside them."""
    labels = list(results)
    print(f"\nInstructions per PUT (millions), mean of {count} in-process PUTs after warm-up, "
          "SQLite")
    print("| case | " + " | ".join(labels) + (" | change |" if len(labels) == 2 else " |"))
    print("|---|" + "---:|" * (len(labels) + (len(labels) == 2)))
    for app, formats in FORMATS.items():
        for fmt in formats:
            figures = [results[label][(app, fmt)] for label in labels]
            row = f"| PUT {fmt if fmt == 'form' else fmt.upper()}, {app} | "
            row += " | ".join(f"{figure / 1e6:.3f}" for figure in figures)
            if len(figures) == 2:
                row += f" | {(figures[1] - figures[0]) / figures[0]:+.1%}"
            print(row + " |")
    for label in labels:
        ratio = results[label][("ours", "json")] / results[label][("raw", "json")]
        print(f"{label}: JSON PUT, ours / raw = {ratio:.2f}")


if __name__ == "__main__":
    sys.exit(main())
