"""The list page's search, as people type it: every word is contained in some text field or
the id, ignoring case and accents (`Sao Paulo` finds `São Paulo`), and a word (or words) that
is the whole label of an enum value also finds the records with that value (`male` finds
men, and not women, whose label only contains it).

The words are looked up in the search index's `folded` text (customers/search_text.py),
which holds the id and the text fields folded as the words are.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, or_

from customers import search_index
from customers.models import Customer
from customers.search_text import ENUMS, fold

Labels = dict[tuple[str, ...], list[tuple[str, str]]]


def enum_labels(label_of: Callable[[str], str]) -> Labels:
    """Each enum value's label in the page's language, as folded words: the field and value
    it names (`("stable", "union")`: maritalStatus `stable_union`)."""
    labels: Labels = {}
    for name, values in ENUMS.items():
        for value in values:
            labels.setdefault(tuple(fold(label_of(value)).split()), []).append((name, value))
    return labels


def page_search(text: str, dialect: str, labels: Labels) -> tuple[list[str], list[ColumnElement[bool]]]:
    """A search box's text as the words that must all be in the folded text, and the
    conditions of the words that are an enum's label (the text, or that value); none of
    either when it has no words (every record)."""
    words = fold(text).split()
    plain: list[str] = []
    either: list[ColumnElement[bool]] = []
    longest = max(map(len, labels), default=0)
    at = 0
    while at < len(words):
        size = next((n for n in range(min(longest, len(words) - at), 0, -1)
                     if tuple(words[at:at + n]) in labels), 0)
        if size == 0:
            plain.append(words[at])
            at += 1
            continue
        named = labels[tuple(words[at:at + size])]
        either.append(or_(search_index.containing(dialect, "folded", words[at:at + size]),
                          *(getattr(Customer, name) == value for name, value in named)))
        at += size
    return plain, either
