"""The pages' languages (Flask-Babel): English and Brazilian Portuguese, chosen by a cookie
that the language switch sets, else by the browser's Accept-Language; times in TIMEZONE.

The API speaks English whatever the request says: its messages never pass through gettext.
Catalogs live in translations/ beside templates/: the .po files are the source, the .mo
files beside them are compiled from them and committed, so a fresh `pip install -e .` runs
as it is (tests/test_pages_i18n.py fails when a .mo is not its .po compiled).
"""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, request
from flask_babel import get_locale

from customers.extensions import babel
from customers.secret_key import ConfigurationError

# Locale identifier (as the catalogs are named) -> the language's own name.
LANGUAGES = {"en": "English", "pt_BR": "Português (Brasil)"}
DEFAULT = "en"
COOKIE = "customers_language"


def tag(locale: str) -> str:
    """`pt_BR` as HTML's lang and HTTP write it: `pt-BR`."""
    return locale.replace("_", "-")


def select_locale() -> str:
    """The switch's choice (its cookie), else the browser's best match, else English."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    best = request.accept_languages.best_match([tag(code) for code in LANGUAGES])
    return best.replace("-", "_") if best else DEFAULT


def current() -> str:
    """The locale of this request (`en` or `pt_BR`)."""
    return str(get_locale() or DEFAULT)


def register(app: Flask) -> None:
    """Bind Flask-Babel: the locale per request, and TIMEZONE as the zone of shown times."""
    try:
        ZoneInfo(app.config["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(f"TIMEZONE {app.config['TIMEZONE']!r} is no time zone "
                                 "(a name such as America/Sao_Paulo or UTC).") from None
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["TIMEZONE"])
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def languages() -> dict[str, object]:
        locale = current()
        return {"languages": LANGUAGES, "current_language": locale, "html_lang": tag(locale)}
