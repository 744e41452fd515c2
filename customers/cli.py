"""Command line: `flask users ...` and `flask tokens ...`."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from customers.accounts import create_user
from customers.tokens import SCOPES, issue_token, revoke_token
from customers.extensions import db
from customers.models import Token

users_cli = AppGroup("users", help="People who sign in to the HTML pages.")
tokens_cli = AppGroup("tokens", help="Bearer tokens for the API.")


@users_cli.command("create")
@click.argument("name")
@click.password_option(help="The password (prompted for when not given).")
def users_create(name: str, password: str) -> None:
    """Create a person who can sign in."""
    try:
        create_user(name, password)
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException(f"a user named {name!r} exists already") from None
    click.echo(f"created user {name}")


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
