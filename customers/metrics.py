"""Prometheus metrics: requests by route and status, their latency, database errors.

With `PROMETHEUS_MULTIPROC_DIR` set (as a gunicorn deployment sets it: README, Deploy), every
worker writes its samples to files in that folder and a scrape adds up all of them, those of
workers that have exited included (gunicorn.conf.py tells the library when one does). Unset,
one process keeps them in memory (the Flask development server, tests).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from time import perf_counter
from typing import Any

from flask import Flask, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.exposition import choose_encoder

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

REQUESTS = Counter(
    "customers_http_requests", "Requests answered, by method, route (the URL rule, never the "
    "path asked for: `unmatched` when none matched) and status.", ("method", "route", "status"))
LATENCY = Histogram(
    "customers_http_request_duration_seconds", "Time from a request's arrival in the app to its "
    "answer, by method and route.", ("method", "route"),
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
DATABASE_ERRORS = Counter(
    "customers_database_errors", "Database failures that decided an answer, by kind: "
    "`unavailable` and `timeout` (503), `error` (500).", ("kind",))

# Methods a client may invent any of: the rest are counted as `other`, so labels stay few.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
ROUTE = "customers.route"  # the WSGI environ key where the app leaves the matched URL rule
UNMATCHED = "unmatched"

# Run before every scrape: gauges read from the database (the webhook queue's depth and the age
# of its oldest message go here), so that every host and worker reports the same figures.
_scrape_hooks: list[Callable[[], None]] = []


def register(app: Flask) -> None:
    """Count and time every answer of `app`."""
    app.url_value_preprocessor(_note_route)  # these run first, before any before_request
    app.wsgi_app = Measured(app.wsgi_app)  # type: ignore[method-assign]


def database_error(kind: str) -> None:
    """Count a database failure of this kind."""
    DATABASE_ERRORS.labels(kind).inc()


def on_scrape(hook: Callable[[], None]) -> Callable[[], None]:
    """Run `hook` before every scrape (a decorator). A Gauge that it sets needs
    `multiprocess_mode="mostrecent"`, so that the value of the latest scrape is the one shown."""
    _scrape_hooks.append(hook)
    return hook


def exposition(accept: str | None) -> tuple[bytes, str]:
    """Every metric of every worker, in the format `accept` prefers (Prometheus text unless it
    asks for OpenMetrics); the body and its content type."""
    for hook in _scrape_hooks:
        hook()
    registry = REGISTRY
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    encoder, content_type = choose_encoder(accept or "")
    return encoder(registry), content_type


def _note_route(_endpoint: str | None, _values: dict[str, Any] | None) -> None:
    """Leave the URL rule this request matched where the middleware finds it afterwards."""
    this = request._get_current_object()  # type: ignore[attr-defined]
    if this.url_rule is not None:
        this.environ[ROUTE] = this.url_rule.rule


class Measured:
    """WSGI middleware: counts and times every answer, error pages and teardown included, once."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self._series: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started, status = perf_counter(), "500"  # an exception out of the app is gunicorn's 500

        def start(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            nonlocal status
            status = line[:3]
            return start_response(line, headers, exc_info)

        try:
            return self.app(environ, start)
        finally:
            self._record(environ, status, perf_counter() - started)

    def _record(self, environ: dict[str, Any], status: str, seconds: float) -> None:
        """One answer: its count and its latency."""
        method = environ.get("REQUEST_METHOD", "")
        key = (method if method in METHODS else "other", environ.get(ROUTE, UNMATCHED), status)
        series = self._series.get(key)
        if series is None:  # labels() is the costly part of a sample: look each up once
            if len(self._series) >= 4096:
                self._series.clear()
            series = self._series[key] = (REQUESTS.labels(*key), LATENCY.labels(*key[:2]))
        series[0].inc()
        series[1].observe(seconds)
