"""Log lines no client can forge or fill with secrets (gunicorn.conf.py installs these).

Every access-log field is escaped (gunicorn itself escapes `"` but not the backslash before
it, so `\\"` closed a quoted field), no control character is written raw (C0, DEL, and C1
such as NEL U+0085 or CSI U+009B, which arrive as they are in latin-1-decoded header bytes),
and secrets a client puts in a URL (`?access_token=`, `token=`, `api_key=`, our `cst_`
tokens) are redacted from every line, the application's and gunicorn's own included.
"""
from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from gunicorn.glogging import Logger, SafeAtoms

REDACTED = "[REDACTED]"
# Words that, in a query parameter's name, say its value is a secret.
SECRET_NAMES = ("token", "key", "secret", "passw", "pwd", "auth", "signature", "credential")
_PARAMETER = re.compile(r"(^|[?&;])([^=&;#\s\"]*)=([^&;#\s\"]*)")  # linear: no nested repeats
_OTHER_SECRETS = [
    (re.compile(r"cst_[\w-]+"), f"cst_{REDACTED}"),  # our tokens, wherever they appear
    (re.compile(r"(?i)(\bbearer\s+)[^\s\"',;]+"), rf"\g<1>{REDACTED}"),
]


def redact(text: str) -> str:
    """`text` with every secret it shows replaced by [REDACTED]."""
    if "=" in text:
        text = _PARAMETER.sub(_redact_parameter, text)
    for pattern, replacement in _OTHER_SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _redact_parameter(match: re.Match[str]) -> str:
    """A `name=value` pair, its value redacted if its name says it is a secret."""
    name = match[2].lower()
    if match[3] and any(word in name for word in SECRET_NAMES):
        return f"{match[1]}{match[2]}={REDACTED}"
    return match[0]


def escape(text: str, quote: bool = True) -> str:
    """`text` with no character a terminal or a log parser would act on: backslash and
    (with `quote`) `"` get a backslash, anything unprintable becomes \\xHH or \\uHHHH."""
    if text.isprintable() and "\\" not in text and not (quote and '"' in text):
        return text  # the usual case, at C speed
    return "".join(_escaped(character, quote) for character in text)


def _escaped(character: str, quote: bool) -> str:
    """One character as it is written to a log."""
    if character == "\\" or (quote and character == '"'):
        return "\\" + character
    if character.isprintable():
        return character
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def as_text(value: str) -> str:
    """A WSGI string (header bytes decoded as latin-1) as the UTF-8 text it usually is, so
    that `é` is logged as `é` and not as two escaped bytes; left as it is otherwise."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


class EscapedAtoms(SafeAtoms):
    """gunicorn's atoms, each redacted and escaped when the format reads it (only the few it
    names, not every header and environ entry gunicorn collects)."""

    def __init__(self, atoms: dict[str, Any]) -> None:
        dict.__init__(self, atoms)  # SafeAtoms would escape `"` alone, and all of them

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        return escape(redact(as_text(value))) if isinstance(value, str) else value


class AccessLogger(Logger):
    """gunicorn's logger with every access-log field escaped (gunicorn.conf.py's logger_class)."""

    atoms_wrapper_class = EscapedAtoms


# How the chunks of a formatted traceback that hold no exception's text begin.
_TRACEBACK_FRAMES = ("Traceback (most recent call last):", "  File ", "  [Previous line", "\n")


class Formatter(logging.Formatter):
    """The application's and gunicorn's own lines: the message escaped (a value in it may be
    the client's, and a newline would start a forged line), secrets redacted from the whole
    line, traceback included."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape(record.message, quote=False)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        """The traceback, each exception's own text escaped (it may hold a client's); the
        frames and the chain's headings, which show only our code, as they are."""
        chunks = traceback.TracebackException(*ei).format()
        return "".join(chunk if chunk.startswith(_TRACEBACK_FRAMES)
                       else escape(chunk.removesuffix("\n"), quote=False) + "\n"
                       for chunk in chunks).removesuffix("\n")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
