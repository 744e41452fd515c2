"""The rules for people's names and passwords, the same at every door (CLI, pages)."""
from __future__ import annotations

import unicodedata

from customers.models import TEXT_LENGTH
from customers.schemas import UNSTORABLE

MIN_PASSWORD_LENGTH = 12
# Longer passwords only cost hashing time; nobody types more.
MAX_PASSWORD_LENGTH = 1024


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a person's name (or looked up as one); None when it can."""
    if not name.strip():
        return "Enter a name."
    if len(name) > TEXT_LENGTH:
        return f"A name has at most {TEXT_LENGTH} characters."
    if UNSTORABLE.search(name) or not name.isprintable():
        return "A name can hold only printable characters (no control characters, no lone surrogates)."
    return None


def password_problem(password: str, *, new: bool) -> str | None:
    """Why `password` cannot be checked (or, when `new`, set); None when it can."""
    if new and len(password) < MIN_PASSWORD_LENGTH:
        return f"A password has at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"A password has at most {MAX_PASSWORD_LENGTH} characters."
    if UNSTORABLE.search(password):
        return "A password cannot hold control characters or lone surrogates."
    return None


def name_key(name: str) -> str:
    """The name as the sign-in throttle counts it: `Ana`, ` ANA` and `ａｎａ` are one."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return folded.strip()
