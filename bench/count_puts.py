"""What bench/instructions.py runs under callgrind: PUTs called in-process on one WSGI app.

    valgrind --tool=callgrind --instr-atstart=no python bench/count_puts.py TREE APP COUNT WARMUP

TREE is the source tree whose app is measured (its folder goes first on sys.path); APP is
`ours` (TREE's `wsgi:app`, as gunicorn imports it) or `raw` (bench/raw_wsgi.py). DATABASE_URL,
BENCH_TOKEN and BENCH_SHIM (the compiled callgrind shim) come from the environment. For each
format it sends WARMUP PUTs uncounted, then COUNT PUTs to ids no PUT touched yet, with
instrumentation on only around those calls, and dumps their counts as one part named for the
format. Every answer must be 200, or it exits 1.
"""
from __future__ import annotations

import ctypes
import gc
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

FIELDS = {  # bench/load.lua's body: all ten writable fields
    "uuid": "5f7a9c1e-0b7e-4c1a-9e43-1d2f3a4b5c6d", "referenceId": "ref-42",
    "dateOfBirth": "1984-03-17", "addressStreet": "Rua da Aurora, 100",
    "addressNeighborhood": "Boa Vista", "addressCity": "Recife", "addressState": "PE",
    "addressCountry": "Brasil", "gender": "female", "maritalStatus": "married",
}
BODIES = {
    "json": ("application/json",
             "{" + ",".join(f'"{name}":"{value}"' for name, value in FIELDS.items()) + "}"),
    "xml": ("application/xml", '<?xml version="1.0" encoding="utf-8"?><item>'
            + "".join(f"<{name}>{value}</{name}>" for name, value in FIELDS.items()) + "</item>"),
    "form": ("application/x-www-form-urlencoded", urlencode(FIELDS)),
}
FORMATS = {"ours": ("json", "xml", "form"), "raw": ("json",)}

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def load_app(tree: str, name: str) -> Wsgi:
    """The WSGI callable, imported as its server would import it."""
    if name == "raw":
        import raw_wsgi  # bench/ is sys.path[0]: this script's folder

        return raw_wsgi.app
    sys.path.insert(0, tree)
    os.chdir(tree)
    import wsgi

    return wsgi.app


def environs(first_id: int, count: int, fmt: str, token: str) -> list[dict[str, Any]]:
    """One WSGI environ per PUT, made before counting (a server's parsing is not ours)."""
    from werkzeug.test import EnvironBuilder

    content_type, body = BODIES[fmt]
    made = []
    for customer_id in range(first_id, first_id + count):
        builder = EnvironBuilder(
            path=f"/customers/{customer_id}", method="PUT", data=body.encode(),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json",
                     "Content-Type": content_type})
        made.append(builder.get_environ())
        builder.close()
    return made


def call_all(app: Wsgi, requests: list[dict[str, Any]], statuses: list[str]) -> None:
    """Each request as a WSGI server calls it: the app, then its whole body, then close()."""
    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        statuses.append(status)

    for environ in requests:
        body = app(environ, start_response)
        for _chunk in body:
            pass
        if hasattr(body, "close"):
            body.close()


def main() -> int:
    """Warm up and count each format; 1 if any answer was not 200."""
    tree, name, count, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    shim = ctypes.CDLL(os.environ["BENCH_SHIM"])
    app, token = load_app(tree, name), os.environ["BENCH_TOKEN"]
    statuses: list[str] = []
    next_id = 1
    for fmt in FORMATS[name]:
        call_all(app, environs(next_id, warmup, fmt, token), statuses)
        measured = environs(next_id + warmup, count, fmt, token)
        next_id += warmup + count
        gc.collect()  # every part starts from the same collector state
        shim.start()
        call_all(app, measured, statuses)
        shim.stop()
        shim.dump(fmt.encode())
    wrong = [status for status in statuses if not status.startswith("200")]
    if wrong:
        print(f"{name}: {len(wrong)} answers were not 200, e.g. {wrong[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
