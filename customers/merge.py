"""The three-way merge of a stale edit: what the person changed since the version they
opened, against what others changed since.

For each field the person sent, compared with the base (the record at the version their form
was opened at) and the current record:

- theirs == base: they did not change it; whatever is there now stays (nothing sent);
- base == current: only they changed it; their value is applied;
- theirs == current: both made the same change; nothing to do;
- otherwise both changed it differently: a conflict, for the person to choose.

Without a base (history does not hold that version: records kept from before history) every
field where the person's value differs from the current one is a conflict. A merge only ever
applies values the person typed.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Merge:
    """What a stale edit becomes: the fields to save, and the fields both sides changed."""

    apply: dict[str, Any] = field(default_factory=dict)  # field -> the person's value
    conflicts: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (mine, theirs)
    kept: tuple[str, ...] = ()  # fields others changed that the person left alone

    @property
    def clean(self) -> bool:
        """Whether it saves without asking the person anything."""
        return not self.conflicts


def three_way(base: Mapping[str, Any] | None, mine: Mapping[str, Any],
              current: Mapping[str, Any]) -> Merge:
    """Merge the person's values `mine` (the fields they sent) made over `base` (None: not
    known) with the `current` record's values."""
    apply: dict[str, Any] = {}
    conflicts: dict[str, tuple[Any, Any]] = {}
    kept: list[str] = []
    for name, value in mine.items():
        now = current.get(name)
        if value == now:
            continue
        if base is not None and value == base.get(name):
            kept.append(name)
        elif base is not None and base.get(name) == now:
            apply[name] = value
        else:
            conflicts[name] = (value, now)
    return Merge(apply, conflicts, tuple(kept))
