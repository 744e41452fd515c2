"""The one blueprint that the API and the HTML pages register their routes on."""
from flask import Blueprint

bp = Blueprint("customers", __name__)
