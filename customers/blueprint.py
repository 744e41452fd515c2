"""The one `customers` blueprint, and its two children: the API and the HTML pages.

The children decide what applies to a request by where its view lives: the API's views are
exempt from CSRF (bearer tokens, no cookies) and answer errors in JSON or XML; the pages'
views keep the cookie session and answer errors with an HTML page (customers/errors.py).
"""
from flask import Blueprint

bp = Blueprint("customers", __name__)
api_bp = Blueprint("api", __name__)
pages_bp = Blueprint("pages", __name__)
bp.register_blueprint(api_bp)
bp.register_blueprint(pages_bp)

API = "customers.api"
PAGES = "customers.pages"


def on_pages(blueprints: list[str]) -> bool:
    """Whether a request's blueprints (request.blueprints) are the pages'."""
    return PAGES in blueprints
