"""Command line of the record's memory: `flask trash purge` and `flask customers erase`."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from customers import service
from customers.changes import Origin
from customers.errors import ApiError

trash_cli = AppGroup("trash", help="Records deleted through the API or the pages.")
customers_cli = AppGroup("customers", help="Customer records, by hand.")


@trash_cli.command("purge")
def purge() -> None:
    """Remove for good the records deleted more than TRASH_RETENTION_DAYS ago (30 unless
    set; 0 empties the trash). Their history keeps who, when and which fields."""
    days = current_app.config["TRASH_RETENTION_DAYS"]
    if days < 0:
        raise click.ClickException(f"TRASH_RETENTION_DAYS must be 0 or more, not {days}")
    removed = service.purge(days)
    click.echo(f"purged {removed} record{'' if removed == 1 else 's'} deleted more than "
               f"{days:g} days ago")


@customers_cli.command("erase")
@click.argument("customer_id")
@click.option("--by", "operator", required=True,
              help="Who erases (the operator), as history records it.")
def erase(customer_id: str, operator: str) -> None:
    """Erase a customer (LGPD/GDPR): the record goes, live or in the trash, and every value
    in its history is blanked; who, when and which fields stay, with an `erase` entry."""
    if not operator.strip():
        raise click.ClickException("--by needs the operator's name")
    try:
        version = service.erase(customer_id, Origin(operator.strip(), "cli"))
    except ApiError as error:
        raise click.ClickException(str(error.description)) from None
    click.echo(f"erased customer {customer_id}; history keeps who and when (erase entry, "
               f"version {version})")
