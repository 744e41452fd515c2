"""The API views: decode, call the service, encode."""
from __future__ import annotations

from functools import lru_cache, partial
from typing import Any

from flask import Response, current_app
from werkzeug.sansio.utils import get_current_url
from werkzeug.urls import iri_to_uri

from customers import qs, request_id, service
from customers.auth import current_actor, current_caller, requires
from customers.blueprint import api_bp
from customers.changes import Origin
from customers.bodies import media_type, read_body
from customers.unproxied import unproxied_request
from customers.decoders import decode
from customers.responses import respond
from customers.etag import etag_of, expected_versions, not_modified
from customers.csv_codec import LIST_OFFERS, csv_page, prefers_csv
from customers.idempotency import Answer, Claim
from customers.idempotent import idempotent
from customers.query import ListQuery, parse
from customers.record import CustomerRecord
from customers.schemas import customer_schema, customers_schema

EXPORT_MAX_LIMIT = 2**62  # an export's `_limit` has no cap but its own
read_access = requires("read")
write_access = requires("write")
# These views hand current_caller() to the service as the write's guard: the write itself
# proves the token live.
guarded_write_access = requires("write", proven_by_write=True)


@api_bp.get("/customers")
@requires("read", offered=LIST_OFFERS)
def list_customers() -> Response:
    """A page of customers matching the filters; the total in X-Total-Count."""
    query = list_query()
    if prefers_csv():
        return csv_page(query.records(), query.count())
    records = customers_schema.dump(query.records())
    return respond(records, headers={"X-Total-Count": str(query.count())})


@api_bp.get("/customers/count")
@read_access
def count_customers() -> Response:
    """How many customers match the filters."""
    return respond(list_query().count())


@api_bp.get("/customers/<record_id:customer_id>")
@read_access
def get_customer(customer_id: str) -> Response:
    """One customer; 304 when If-None-Match names its version."""
    customer = service.get(customer_id)
    if not_modified(customer):
        return Response(status=304, headers={"ETag": etag_of(customer)})
    return record_response(customer)


def _created(collection: str, customer: CustomerRecord) -> Answer:
    """The answer to a create: 201, the record, its ETag and where it lives."""
    location = f"{collection}/{customer.id}"
    headers = {"ETag": etag_of(customer), "Location": location, "Content-Location": location}
    return Answer(201, customer_schema.dump(customer), headers)


@api_bp.post("/customers")
@write_access
@idempotent
def create_customer(claim: Claim | None) -> Response:
    """Create a customer; 201 with its Location (a retry with the same Idempotency-Key
    replays that answer instead of creating another)."""
    fields = _body()
    # The collection's URL is built before the write: nothing after it may fail.
    answer_of = partial(_created, requested_url())
    record = service.create(fields, api_origin(current_actor()), claim and claim.answering(answer_of))
    answer = answer_of(record)
    return respond(answer.payload, answer.status, answer.headers,
                   content_location=answer.headers["Content-Location"])


@api_bp.route("/customers/<record_id:customer_id>", methods=["PUT", "PATCH"])
@guarded_write_access
def update_customer(customer_id: str) -> Response:
    """Merge the fields sent into the record; null clears a field."""
    service.primary_key(customer_id)  # an id that names no record is 404 before any body error
    changes = _body(partial=True)
    # The record's URL is the one requested (the id is canonical), built before the write.
    record_url = requested_url()
    caller = current_caller()
    customer = service.update(customer_id, changes, api_origin(caller.owner),
                              expected_versions(customer_id), guard=caller)
    return record_response(customer, content_location=record_url)


@api_bp.delete("/customers/<record_id:customer_id>")
@guarded_write_access
def delete_customer(customer_id: str) -> Response:
    """Delete a customer and return what it held."""
    caller = current_caller()
    return record_response(service.delete(customer_id, api_origin(caller.owner),
                                  expected_versions(customer_id), guard=caller))


def api_origin(by: str) -> Origin:
    """Who writes through the API in this request (the service never reads `request`)."""
    return Origin(by, "api", request_id.current())


def _body(partial: bool = False) -> dict[str, Any]:
    """The request body, decoded by its content type and validated by the schema."""
    data = decode(*media_type(), read_body())
    return customer_schema.load(data, partial=partial)


def list_query(paged: bool = True) -> ListQuery:
    """The list parameters of this request; unpaged (an export), every match unless the
    client gave `_limit` or `_start` itself."""
    config = current_app.config
    cap = config["CUSTOMERS_MAX_LIMIT"] if paged else EXPORT_MAX_LIMIT
    this = unproxied_request()
    query = parse(qs.split(this.query_string), config["CUSTOMERS_DEFAULT_LIMIT"], cap)
    if not paged and "_limit" not in this.args:
        query.limit = None
    return query


def requested_url() -> str:
    """request.base_url as a URI: the collection's or a record's URL. Its path is ASCII (a
    route matched it, and service.primary_key took the id as canonical digits): only the
    site's root is built, once per site. The host is one customers/host_header.py let through."""
    this = unproxied_request()
    return _root_url(this.scheme, this.host, this.root_path) + this.path.lstrip("/")


@lru_cache(maxsize=64)  # the Host header is the client's: a bounded cache
def _root_url(scheme: str, host: str, root_path: str) -> str:
    """request.root_url for this scheme, host and mount prefix, as a URI (an IDNA host,
    a percent-encoded prefix)."""
    return iri_to_uri(get_current_url(scheme, host, root_path))


def record_response(customer: CustomerRecord, status: int = 200,
            headers: dict[str, str] | None = None, content_location: str | None = None) -> Response:
    """A record response with its ETag (and, where given, the record's URI)."""
    return respond(customer_schema.dump(customer), status, {"ETag": etag_of(customer), **(headers or {})},
                   content_location=content_location)
