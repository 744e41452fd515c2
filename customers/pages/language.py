"""The language switch on every page: a link that remembers the choice in a cookie."""
from __future__ import annotations

from flask import Response, abort, redirect, request

from customers import i18n
from customers.blueprint import pages_bp
from customers.pages.common import safe_next

# A year: the choice outlives sessions (signing out keeps it).
MAX_AGE = 365 * 86400


@pages_bp.get("/language/<code>")
def choose_language(code: str) -> Response:
    """Remember `code` (`en`, `pt_BR`) for this browser, then back to the page it was chosen on.
    A link, not a form: it changes nothing but how this browser's pages read."""
    if code not in i18n.LANGUAGES:
        abort(404)
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(i18n.COOKIE, code, max_age=MAX_AGE, secure=request.is_secure,
                        httponly=True, samesite="Lax")
    return response
