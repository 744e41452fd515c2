"""counters: the number of customers, kept exact by triggers

An unfiltered list sends X-Total-Count, and COUNT(*) reads every row: O(n) at a million
customers. Triggers keep the count in `counters` in the same transaction as every insert
and delete, whichever code runs it (the service, a bulk load, psql), so reading it is one
primary-key lookup and still exact.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 22:10:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# SQLite has row triggers only; the truncate optimisation is off on a table with triggers,
# so `DELETE FROM customers` fires them too.
SQLITE = [
    """CREATE TRIGGER customers_counter_insert AFTER INSERT ON customers BEGIN
         UPDATE counters SET value = value + 1 WHERE name = 'customers'; END""",
    """CREATE TRIGGER customers_counter_delete AFTER DELETE ON customers BEGIN
         UPDATE counters SET value = value - 1 WHERE name = 'customers'; END""",
]
# PostgreSQL: statement triggers with transition tables, one counter update per statement
# (a bulk INSERT ... SELECT or COPY of a million rows updates the counter once); TRUNCATE
# fires no row trigger, so it has its own.
POSTGRES = [
    """CREATE FUNCTION customers_counter_insert() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE counters SET value = value + (SELECT count(*) FROM inserted) WHERE name = 'customers';
         RETURN NULL;
       END $$""",
    """CREATE FUNCTION customers_counter_delete() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE counters SET value = value - (SELECT count(*) FROM deleted) WHERE name = 'customers';
         RETURN NULL;
       END $$""",
    """CREATE FUNCTION customers_counter_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE counters SET value = 0 WHERE name = 'customers';
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER customers_counter_insert AFTER INSERT ON customers
       REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION customers_counter_insert()""",
    """CREATE TRIGGER customers_counter_delete AFTER DELETE ON customers
       REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION customers_counter_delete()""",
    """CREATE TRIGGER customers_counter_truncate AFTER TRUNCATE ON customers
       FOR EACH STATEMENT EXECUTE FUNCTION customers_counter_truncate()""",
]
DROP = {
    "sqlite": ["DROP TRIGGER customers_counter_insert", "DROP TRIGGER customers_counter_delete"],
    "postgresql": [statement for event in ("insert", "delete", "truncate") for statement in (
        f"DROP TRIGGER customers_counter_{event} ON customers",
        f"DROP FUNCTION customers_counter_{event}()")],
}


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect not in DROP:
        raise NotImplementedError(f"no counter triggers for {dialect}")
    op.create_table('counters',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    if dialect == "postgresql":
        # No insert or delete may slip between the count below and the triggers.
        op.execute("LOCK TABLE customers IN SHARE ROW EXCLUSIVE MODE")
    op.execute("INSERT INTO counters (name, value) SELECT 'customers', count(*) FROM customers")
    for statement in SQLITE if dialect == "sqlite" else POSTGRES:
        op.execute(statement)


def downgrade():
    for statement in DROP[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table('counters')
