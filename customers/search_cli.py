"""Command line: `flask search rebuild`, the search index made anew from the records."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from customers import search_index
from customers.extensions import db
from customers.sqlite.writer_lock import one_writer_at_a_time

search_cli = AppGroup("search", help="The search index behind `_q` and the pages' search.")


@search_cli.command("rebuild")
def search_rebuild() -> None:
    """Index every record anew: after records were written around the service (a bulk load
    in SQL, a restore of the customers table alone); the service keeps it exact otherwise."""
    engine = db.engine
    with engine.connect() as connection, one_writer_at_a_time(engine), connection.begin():
        indexed = search_index.rebuild(connection)
    click.echo(f"{indexed} customers indexed")
