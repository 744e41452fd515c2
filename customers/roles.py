"""What each role of a person may do in the pages: each role may do all the one before may."""
from __future__ import annotations

# viewer reads; editor also creates and edits; admin also deletes, restores and imports.
ROLES = ("viewer", "editor", "admin")
DEFAULT_ROLE = "viewer"


def allows(role: str | None, needed: str) -> bool:
    """Whether a person of `role` may do what needs `needed`."""
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)
