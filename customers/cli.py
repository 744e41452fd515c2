"""Command line: `flask users ...` and `flask tokens ...`."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from customers.accounts import (
    AccountError,
    create_user,
    disable,
    existing_user,
    find_user,
    set_password,
    set_role,
)
from customers.credentials import MIN_PASSWORD_LENGTH
from customers.extensions import db
from customers.models import Token, User
from customers.roles import DEFAULT_ROLE, ROLES
from customers.tokens import SCOPES, issue_token, revoke_token

users_cli = AppGroup("users", help="People who sign in to the HTML pages.")
tokens_cli = AppGroup("tokens", help="Bearer tokens for the API.")


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default=DEFAULT_ROLE, show_default=True,
              help="viewer reads; editor also creates and edits; admin also deletes.")
@click.option("--password", help=f"At least {MIN_PASSWORD_LENGTH} characters (prompted for when not given).")
@click.option("--exist-ok", is_flag=True, help="Do nothing, without an error, if NAME exists.")
def users_create(name: str, role: str, password: str | None, exist_ok: bool) -> None:
    """Create a person who can sign in."""
    if exist_ok and find_user(name) is not None:
        click.echo(f"{name} exists already; nothing changed")
        return
    with one_line_errors():
        create_user(name, password or _prompted_password(), role)
    click.echo(f"created {role} {name}")


@users_cli.command("list")
def users_list() -> None:
    """Every person: id, name, role, state."""
    for user in db.session.execute(db.select(User).order_by(User.id)).scalars():
        state = f"disabled {user.disabled_at:%Y-%m-%d %H:%M}" if user.disabled_at else "active"
        click.echo(f"{user.id}\t{user.name}\t{user.role}\t{state}")


@users_cli.command("set-password")
@click.argument("name")
@click.option("--password", help=f"At least {MIN_PASSWORD_LENGTH} characters (prompted for when not given).")
def users_set_password(name: str, password: str | None) -> None:
    """Give a person a new password; every session of theirs ends."""
    with one_line_errors():
        set_password(existing_user(name), password or _prompted_password())
    click.echo(f"new password for {name}; their sessions have ended")


@users_cli.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
def users_set_role(name: str, role: str) -> None:
    """Give a person another role (in force from their next request)."""
    with one_line_errors():
        set_role(existing_user(name), role)
    click.echo(f"{name} is now {role}")


@users_cli.command("disable")
@click.argument("name")
def users_disable(name: str) -> None:
    """Stop a person from signing in; every session of theirs ends."""
    with one_line_errors():
        disable(existing_user(name))
    click.echo(f"disabled {name}; their sessions have ended")


def _prompted_password() -> str:
    """The password typed twice at the terminal."""
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """A refused change is one line on stderr and exit status 1, never a traceback."""
    try:
        yield
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    except IntegrityError:  # another operator created the same name at the same moment
        db.session.rollback()
        raise click.ClickException("that name exists already") from None


@tokens_cli.command("create")
@click.argument("owner")
@click.option("--scope", type=click.Choice(list(SCOPES)), default="read", show_default=True)
def create_token(owner: str, scope: str) -> None:
    """Create a token; its secret is printed once, alone on the last line."""
    token, secret = issue_token(owner, scope)
    click.echo(f"token {token.id} for {owner} ({scope}); keep the secret below, it is not stored:")
    click.echo(secret)


@tokens_cli.command("list")
def list_tokens() -> None:
    """Every token, without secrets."""
    for token in db.session.execute(db.select(Token).order_by(Token.id)).scalars():
        state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
        click.echo(f"{token.id}\t{token.owner}\t{token.scope}\t{state}")


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke a token by its id: refused from the next request on."""
    if revoke_token(token_id) is None:
        raise click.ClickException(f"no token with id {token_id}")
    click.echo(f"revoked token {token_id}")
