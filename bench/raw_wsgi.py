"""The yardstick: PUT /customers/{id} hand-written on bare WSGI, stdlib json, sqlite3 or psycopg.

Same token check (SHA-256 lookup of the bearer token, write scope), same field rules, one
UPDATE and one SELECT by primary key, the same response. Served by the same gunicorn as the
service: `gunicorn --pythonpath bench raw_wsgi:app` with DATABASE_URL set.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
from datetime import date, datetime, timezone

COLUMNS = {"uuid": "uuid", "referenceId": "reference_id", "dateOfBirth": "date_of_birth",
           "addressStreet": "address_street", "addressNeighborhood": "address_neighborhood",
           "addressCity": "address_city", "addressState": "address_state",
           "addressCountry": "address_country", "gender": "gender", "maritalStatus": "marital_status"}
CHOICES = {"gender": ("male", "female", "other"),
           "maritalStatus": ("single", "married", "divorced", "widowed", "separated", "stable_union")}
READ_ONLY = ("id", "published_at", "created_by", "updated_by")
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SELECT = ("SELECT id, uuid, reference_id, date_of_birth, address_street, address_neighborhood, "
          "address_city, address_state, address_country, gender, marital_status, published_at, "
          "created_by, updated_by, version FROM customers WHERE id = ?")
TOKEN = "SELECT owner, scope FROM tokens WHERE secret_hash = ? AND revoked_at IS NULL"
_local = threading.local()  # gunicorn's gthread worker: one connection per thread


def connection():
    """This thread's connection, opened after the fork (sqlite3 and psycopg connections are
    not to be shared by threads)."""
    if getattr(_local, "connection", None) is None:
        url = os.environ["DATABASE_URL"]
        if url.startswith("sqlite:///"):
            _local.connection = sqlite3.connect(url[len("sqlite:///"):], timeout=20)
            # The service's settings (customers/sqlite/connections.py).
            _local.connection.execute("PRAGMA synchronous=NORMAL")
            _local.connection.execute("PRAGMA wal_autocheckpoint=1000")
        else:
            import psycopg
            # As the service: no statement prepared on the server unless DB_PREPARE_THRESHOLD
            # says so (through PgBouncer a prepared one would meet other clients' statements).
            threshold = os.environ.get("DB_PREPARE_THRESHOLD")
            _local.connection = psycopg.connect(
                url.replace("postgresql+psycopg://", "postgresql://"),
                prepare_threshold=int(threshold) if threshold else None)
    return _local.connection


def sql(text):
    """Placeholders in the driver's style."""
    return text if isinstance(connection(), sqlite3.Connection) else text.replace("?", "%s")


def validate(data):
    """The schema's rules by hand: (changes by column, errors by field)."""
    changes, errors = {}, {}
    for name, value in data.items():
        if name in READ_ONLY:
            continue
        if name not in COLUMNS:
            errors[name] = ["Unknown field."]
            continue
        if isinstance(value, str):
            value = value.strip() or None
        message = None if value is None else problem(name, value)
        if message:
            errors[name] = [message]
        else:
            changes[COLUMNS[name]] = value
    return changes, errors


def problem(name, value):
    """What is wrong with a value, or None."""
    if not isinstance(value, str):
        return "Not a valid string."
    if name == "dateOfBirth":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return "Not a valid date."
        if day < date(1900, 1, 1):
            return "Must be on or after 1900-01-01."
        return "Must not be in the future." if day > datetime.now(timezone.utc).date() else None
    if name in CHOICES:
        return None if value in CHOICES[name] else f"Must be one of: {', '.join(CHOICES[name])}."
    if len(value) > 255:
        return "Longer than maximum length 255."
    return "Contains characters that cannot be stored." if UNSTORABLE.search(value) else None


def render(row, host):
    """The record as the service renders it."""
    day, published = row[3], row[11]
    if isinstance(published, str):
        published = datetime.fromisoformat(published)
    record = {"id": str(row[0]), "uuid": row[1], "referenceId": row[2],
              "dateOfBirth": str(day) if day is not None else None}
    record.update(zip(list(COLUMNS)[3:], row[4:11]))
    record.update(published_at=published.strftime("%Y-%m-%dT%H:%M:%SZ"), created_by=row[12],
                  updated_by=row[13])
    headers = [("ETag", f'"c{row[0]}v{row[14]}"'), ("Content-Location", f"{host}/customers/{row[0]}")]
    return record, headers


def reply(start_response, status, payload, headers=()):
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                            ("Vary", "Accept"), *headers])
    return [body]


def error(start_response, code, message, errors=None):
    payload = {"code": code, "message": message, **({"errors": errors} if errors else {})}
    return reply(start_response, f"{code} Error", payload)


def app(environ, start_response):
    """PUT /customers/{id} and nothing else."""
    path = environ.get("PATH_INFO", "")
    if environ["REQUEST_METHOD"] != "PUT" or not path.startswith("/customers/"):
        return error(start_response, 404, "Not found.")
    auth = environ.get("HTTP_AUTHORIZATION", "")
    secret = auth[7:] if auth.startswith("Bearer ") else ""
    digest = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
    token = connection().execute(sql(TOKEN), (digest,)).fetchone() if secret else None
    if token is None or token[1] != "write":
        connection().rollback()
        return error(start_response, 403, "Authentication required.")
    try:
        data = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
    except ValueError:
        return error(start_response, 400, "Malformed request body.")
    if not isinstance(data, dict):
        return error(start_response, 400, "Malformed request body: expected a JSON object.")
    changes, errors = validate(data)
    if errors:
        return error(start_response, 422, "Validation failed", errors)
    return update(environ, start_response, path[len("/customers/"):], changes, token[0])


def update(environ, start_response, customer_id, changes, actor):
    """One UPDATE, one SELECT, one commit."""
    if not (customer_id.isascii() and customer_id.isdigit()) or len(customer_id) > 18:
        return error(start_response, 404, "No such customer.")
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    db = connection()
    # Stored as SQLAlchemy stores it: ISO text on SQLite, a timestamp on PostgreSQL.
    changes.update(updated_by=actor, updated_at=now.isoformat(" ", "microseconds")
                   if isinstance(db, sqlite3.Connection) else now)
    assignments = ", ".join(f"{column} = ?" for column in changes)
    cursor = db.execute(sql(f"UPDATE customers SET {assignments}, version = version + 1 WHERE id = ?"),
                        (*changes.values(), int(customer_id)))
    if cursor.rowcount != 1:
        db.rollback()
        return error(start_response, 404, "No such customer.")
    row = db.execute(sql(SELECT), (int(customer_id),)).fetchone()
    db.commit()
    host = f"{environ['wsgi.url_scheme']}://{environ.get('HTTP_HOST', 'localhost')}"
    record, headers = render(row, host)
    return reply(start_response, "200 OK", record, headers)
