"""The secret key that signs sessions, CSRF tokens and device cookies: from the environment,
or generated once into the instance folder and kept, so a restart signs nobody out."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import click


class ConfigurationError(click.ClickException, RuntimeError):
    """A setting the service cannot start with; the `flask` commands print it as one line."""


def stored_secret_key(path: Path) -> str:
    """The key kept in `path`, written there first (mode 600) if there is none yet. Several
    workers starting at once all read the one key that won: it is linked into place whole."""
    try:
        return _read(path) or _create(path)
    except OSError as error:
        raise ConfigurationError(
            f"SECRET_KEY is not set and {path} cannot be read or written ({error.strerror}): "
            "set SECRET_KEY, or SECRET_KEY_FILE to a writable place") from None


def _read(path: Path) -> str | None:
    """The key in the file, or None when there is no file (an empty one is an error)."""
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    if not key:
        raise ConfigurationError(f"{path} is empty: remove it to have a new key made, or set SECRET_KEY")
    return key


def _create(path: Path) -> str:
    """Write a new key beside `path`, link it into place unless another process did first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(32) + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another worker's key is in place: everyone uses that one
    finally:
        draft.unlink(missing_ok=True)
    return _read(path) or ""
