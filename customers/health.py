"""Liveness and readiness probes (they need no token), and the metrics scrape (any token)."""
from __future__ import annotations

from flask import Response, request
from sqlalchemy import text

from customers import metrics
from customers.webhooks import gauges  # noqa: F401  (the queue's gauges, read at each scrape)
from customers.auth import ensure_live, token_auth
from customers.blueprint import api_bp
from customers.responses import respond
from customers.errors import ApiError
from customers.extensions import db


@api_bp.get("/healthz")
def healthz() -> Response:
    """The process is up."""
    return respond({"status": "ok"})


@api_bp.get("/readyz")
def readyz() -> Response:
    """The database answers; 503 if it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        raise ApiError(503, "The database is unavailable.") from None
    return respond({"status": "ready"})


@api_bp.get("/metrics")
@token_auth.login_required(role="read")  # not `requires`: the answer is never JSON or XML
def metrics_scrape() -> Response:
    """Every worker's metrics, in Prometheus text format (or OpenMetrics, if asked for)."""
    ensure_live()
    body, content_type = metrics.exposition(request.headers.get("Accept"))
    return Response(body, headers={"Content-Type": content_type})
