"""The one blueprint that the API and the HTML pages register their routes on."""
from flask import Blueprint
from werkzeug.routing import BaseConverter


class RecordIdConverter(BaseConverter):
    """A record's id in a path: any segment but `count`, which names the count resource
    (so `PUT /customers/count` is a 405 that allows GET, not a record lookup)."""

    regex = r"(?!count$)[^/]+"


bp = Blueprint("customers", __name__)
# Registered before any route of the blueprint is added to the app.
bp.record_once(lambda state: state.app.url_map.converters.setdefault("record_id", RecordIdConverter))
