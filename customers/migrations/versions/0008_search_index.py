"""customer_search: a text index for `_q` and the page's search

`_q` was a scan of every record (about 14 s at a million on SQLite). Each record now has two
texts in a text index of its database (customers/search_index.py, search_text.py): `exact`
(the id and the searched fields, lowered: the API's `_q`) and `folded` (the id and the text
fields without case or accents: the page's search).

- SQLite: an FTS5 table with the trigram tokenizer, case-sensitive (the texts are folded
  before they are stored), its rowid the customer's id; a trigger removes a record's row when
  the record is removed for good.
- PostgreSQL: pg_trgm, and a table of the same texts with a GIN trigram index on each;
  triggers remove a record's row with the record (DELETE and TRUNCATE).

The service writes a record's texts in the transaction of each change. The records there are
when this runs are indexed here, in batches.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 13:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE VIRTUAL TABLE customer_search USING fts5(exact, folded, "
    "tokenize = 'trigram case_sensitive 1')",
    """CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
         DELETE FROM customer_search WHERE rowid = OLD.id; END""",
]
# A statement trigger with a transition table (one DELETE per purge of many records), and
# TRUNCATE, which fires no row trigger, has its own (as the counter's of 0002).
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE customer_search (
         customer_id integer PRIMARY KEY, exact text NOT NULL, folded text NOT NULL)""",
    """CREATE FUNCTION customers_search_delete() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         DELETE FROM customer_search WHERE customer_id IN (SELECT id FROM deleted);
         RETURN NULL;
       END $$""",
    """CREATE FUNCTION customers_search_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         TRUNCATE customer_search;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER customers_search_delete AFTER DELETE ON customers
       REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION customers_search_delete()""",
    """CREATE TRIGGER customers_search_truncate AFTER TRUNCATE ON customers
       FOR EACH STATEMENT EXECUTE FUNCTION customers_search_truncate()""",
]
POSTGRES_INDEXES = [
    "CREATE INDEX ix_customer_search_exact ON customer_search USING gin (exact gin_trgm_ops)",
    "CREATE INDEX ix_customer_search_folded ON customer_search USING gin (folded gin_trgm_ops)",
]
DROP = {
    "sqlite": ["DROP TRIGGER customers_search_delete", "DROP TABLE customer_search"],
    # The extension stays: other objects may use it, and it holds no data.
    "postgresql": ["DROP TRIGGER customers_search_delete ON customers",
                   "DROP TRIGGER customers_search_truncate ON customers",
                   "DROP FUNCTION customers_search_delete()", "DROP FUNCTION customers_search_truncate()",
                   "DROP TABLE customer_search"],
}


def upgrade():
    from customers import search_index

    connection = op.get_bind()
    dialect = connection.dialect.name
    if dialect not in DROP:
        raise NotImplementedError(f"no search index for {dialect}")
    for statement in SQLITE if dialect == "sqlite" else POSTGRES:
        op.execute(statement)
    search_index.rebuild(connection)  # which holds writes back on PostgreSQL meanwhile
    if dialect == "postgresql":  # built once over the rows, not row by row
        for statement in POSTGRES_INDEXES:
            op.execute(statement)


def downgrade():
    for statement in DROP[op.get_bind().dialect.name]:
        op.execute(statement)
