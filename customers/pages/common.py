"""What every HTML page shares: safe redirects, and the site's root."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, redirect, url_for

from customers.blueprint import pages_bp


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else the customers list (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.isprintable():
            return target
    return url_for("customers.pages.list_customers_page")


@pages_bp.get("/")
def home() -> Response:
    """A browser arriving at the root goes to the customers list."""
    return redirect(url_for(".list_customers_page"))
