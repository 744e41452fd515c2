"""The text the search index holds for a record, and the folding that makes it.

Two texts per record, each field's value on its own and joined by SEPARATOR (a character no
record can hold, so no match spans two fields):

- `exact`: the id's digits and every field `_q` searches, each lowered as `_contains` lowers
  it (Python's `str.lower`, SQLite's `unicode_lower`): the API's `_q` is a substring of it.
- `folded`: the id and the text fields (not the enums: the page matches their labels),
  lowered and stripped of accents by `fold`: each word of the page's search is a substring
  of it.

`fold` maps each character of the lowered text on its own, so a substring of a text folds to
a substring of the folded text: the index never misses what the page's words mean.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from customers.schemas import GENDERS, MARITAL_STATUSES

SEPARATOR = "\x1f"  # unstorable (customers.schemas.UNSTORABLE): in no value and no query
# `_q` reads the record's own text fields and the id (Strapi's buildSearchQuery: string,
# enumeration and uid attributes, and the primary key as text); created_by and updated_by are
# relations to the admin users in Strapi, so they are never searched.
SEARCHED = ("uuid", "referenceId", "addressStreet", "addressNeighborhood", "addressCity",
            "addressState", "addressCountry", "gender", "maritalStatus")
ENUMS = {"gender": GENDERS, "maritalStatus": MARITAL_STATUSES}
FOLDED = tuple(name for name in SEARCHED if name not in ENUMS)


@lru_cache(maxsize=4096)
def _fold_character(character: str) -> str:
    """One lowered character without its accents, its case folded (`ß` is `ss`, `ς` is `σ`)."""
    decomposed = unicodedata.normalize("NFKD", character.casefold())
    return "".join(part for part in decomposed if not unicodedata.combining(part))


def fold(text: str) -> str:
    """Text as the page's search compares it: case and accents ignored (`São` is `sao`)."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return "".join(map(_fold_character, lowered))


def exact_text(record: Any) -> str:
    """What `_q` searches in a record: the id and each searched field, lowered."""
    values = (getattr(record, name) for name in SEARCHED)
    return SEPARATOR.join([str(record.id), *(value.lower() for value in values if value)])


def folded_text(record: Any) -> str:
    """What the page's words are searched in: the id and the text fields, folded."""
    values = (getattr(record, name) for name in FOLDED)
    return SEPARATOR.join([str(record.id), *(fold(value) for value in values if value)])
