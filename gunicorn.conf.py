"""gunicorn settings, read from the environment (gunicorn loads ./gunicorn.conf.py by itself).

Command-line options win over this file, so `gunicorn wsgi:app --bind ... --workers N` still works.
"""
from __future__ import annotations

import glob
import multiprocessing
import os

# The heavy libraries are imported once, here in the master: forked workers (kill -9
# replacements included) then boot in a fraction of a second. Each worker still imports our
# own code after the fork, so `kill -HUP` loads a new release without dropping a connection.
import flask_migrate  # noqa: F401
import prometheus_client  # noqa: F401  (GET /metrics; multiprocess mode survives the fork)
import psycopg  # noqa: F401
import sqlalchemy  # noqa: F401


def _int(*names: str, default: int) -> int:
    """The first of these environment variables that is set, as an integer."""
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            try:
                return int(value)
            except ValueError:
                raise RuntimeError(f"{name} must be an integer, got {value!r}") from None
    return default


def _bind() -> list[str]:
    """BIND (comma separated), else all interfaces on PORT, else loopback:8000."""
    if os.environ.get("BIND"):
        return [address.strip() for address in os.environ["BIND"].split(",") if address.strip()]
    if os.environ.get("PORT"):
        return [f"0.0.0.0:{_int('PORT', default=8000)}"]
    return ["127.0.0.1:8000"]


bind = _bind()
workers = _int("GUNICORN_WORKERS", "WEB_CONCURRENCY", default=multiprocessing.cpu_count() * 2 + 1)
# Threads, so that a slow client (a body sent byte by byte) holds one thread, not a whole
# worker: with sync workers one such connection per worker stopped the service, /healthz
# included. Idle kept-alive connections wait in each worker's poller and hold no thread.
# 8 threads stay within a worker's PostgreSQL pool (5 + 5 overflow), so none waits for a
# connection. nginx in front (see README) still buffers whole requests before passing them on.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = _int("GUNICORN_THREADS", default=8)
# A worker silent for this long is killed and replaced; a request's database time is
# bounded well below it by DB_TIMEOUT_SECONDS.
timeout = _int("GUNICORN_TIMEOUT", default=30)
# On SIGTERM / SIGHUP workers get this long to finish the requests they hold.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", default=30)
keepalive = _int("GUNICORN_KEEPALIVE", default=5)
# Recycling workers bounds slow leaks; the jitter keeps them from restarting together.
max_requests = _int("GUNICORN_MAX_REQUESTS", default=0)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", default=max_requests // 10)
# Each worker builds its own app and connection pool after the fork: no shared sockets.
preload_app = False
# The heartbeat file on tmpfs, so a slow disk cannot make healthy workers look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn itself trusts no X-Forwarded-* header; ProxyFix does, when PROXY_HOPS says so.
forwarded_allow_ips = ""
# Nothing here uses gunicornc; a fixed socket path would also collide between servers.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "") == ""
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]


def on_starting(_server: object) -> None:
    """Prometheus multiprocess mode: the folder where workers write their samples starts
    empty, or the last run's files would be added to this run's (README, Deploy)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for stale in glob.glob(os.path.join(folder, "*.db")):
            os.remove(stale)


def child_exit(_server: object, worker: object) -> None:
    """A worker has exited (recycled, killed): the library drops its live gauges from the
    sums; its counters and histograms stay counted."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


loglevel = os.environ.get("LOG_LEVEL", "info").lower()
accesslog = "-"
# Every access-log field escaped and stripped of secrets (customers/logs.py).
logger_class = "customers.logs.AccessLogger"
# Client address (the real one when ProxyFix is on), request id, request, status, size,
# duration in seconds, referrer, user agent.
access_log_format = (
    '%(h)s %({x-request-id}o)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss "%(f)s" "%(a)s"'
)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "customers.request_id.RequestIdFilter"}},
    "formatters": {
        "access": {"format": "%(message)s"},
        "app": {  # the message escaped and every secret redacted (customers/logs.py)
            "class": "customers.logs.Formatter",
            "format": "%(asctime)s [%(process)d] [%(levelname)s] [%(request_id)s] "
                      "%(name)s: %(message)s",
        },
    },
    "handlers": {
        # Access log to stdout, everything else (gunicorn's and the app's records) to stderr.
        "access": {"class": "logging.StreamHandler", "formatter": "access",
                   "stream": "ext://sys.stdout"},
        "app": {"class": "logging.StreamHandler", "formatter": "app", "filters": ["request_id"],
                "stream": "ext://sys.stderr"},
    },
    "root": {"level": loglevel.upper(), "handlers": ["app"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["app"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        "alembic": {"level": "WARNING"},
    },
}
