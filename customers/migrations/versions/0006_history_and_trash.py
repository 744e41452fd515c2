"""customer_history and the trash: every change recorded, deletes undoable

A history table (one entry per version of a record, customers/history.py) and two columns on
customers: `deleted_at` / `deleted_by`, set while a record is in the trash. The counter of
migration 0002 now counts only live records (its triggers also follow moves in and out of the
trash), and two partial indexes let the list and the trash page by id without stepping over
the other kind of row.

Records that exist when this runs get one entry each: action `create`, at their current
version, `at`/`by` their last change (`updated_at`, `updated_by`), `via` `cli`, and `changes`
listing every field that has a value (from null). That is the record as history first knows
it; their earlier versions were never recorded, so they answer 404.

Downgrading removes the history and purges the trash (those records were deleted by their
users, which is what a delete meant before this revision).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:40:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# API field name -> column, for the first entries' `changes`.
FIELDS = {"uuid": "uuid", "referenceId": "reference_id", "dateOfBirth": "date_of_birth",
          "addressStreet": "address_street", "addressNeighborhood": "address_neighborhood",
          "addressCity": "address_city", "addressState": "address_state",
          "addressCountry": "address_country", "gender": "gender", "maritalStatus": "marital_status"}
ENTRY_COLUMNS = ("customer_id, version, action, changed_at, changed_by, via, request_id, changes")
FIRST_ENTRY = ("SELECT c.id, c.version, 'create', c.updated_at, "
               "coalesce(c.updated_by, c.created_by, 'unknown'), 'cli', '-', {changes} FROM customers c")
POSTGRES_CHANGES = (
    "coalesce((SELECT jsonb_object_agg(f.name, jsonb_build_object('from', NULL, 'to', f.value)) "
    "FROM (VALUES {values}) AS f(name, value) WHERE f.value IS NOT NULL), '{{}}'::jsonb)")
SQLITE_CHANGES = (
    "(SELECT json_group_object(f.name, json_object('from', NULL, 'to', f.value)) "
    "FROM ({values}) AS f WHERE f.value IS NOT NULL)")

SQLITE_TRIGGERS = [
    """CREATE TRIGGER customers_counter_insert AFTER INSERT ON customers
       WHEN NEW.deleted_at IS NULL BEGIN
         UPDATE counters SET value = value + 1 WHERE name = 'customers'; END""",
    """CREATE TRIGGER customers_counter_delete AFTER DELETE ON customers
       WHEN OLD.deleted_at IS NULL BEGIN
         UPDATE counters SET value = value - 1 WHERE name = 'customers'; END""",
    """CREATE TRIGGER customers_counter_trash AFTER UPDATE OF deleted_at ON customers
       WHEN (OLD.deleted_at IS NULL) != (NEW.deleted_at IS NULL) BEGIN
         UPDATE counters SET value = value + (CASE WHEN NEW.deleted_at IS NULL THEN 1 ELSE -1 END)
         WHERE name = 'customers'; END""",
]
SQLITE_OLD_TRIGGERS = [
    """CREATE TRIGGER customers_counter_insert AFTER INSERT ON customers BEGIN
         UPDATE counters SET value = value + 1 WHERE name = 'customers'; END""",
    """CREATE TRIGGER customers_counter_delete AFTER DELETE ON customers BEGIN
         UPDATE counters SET value = value - 1 WHERE name = 'customers'; END""",
]
# Statement triggers stay statement triggers (one counter update per bulk statement); a
# statement that moves no live row leaves the counter row alone, so purges and the PUTs of
# many writers do not queue on it.
POSTGRES_COUNT = """CREATE OR REPLACE FUNCTION customers_counter_{event}() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE moved bigint;
    BEGIN
      SELECT count(*) INTO moved FROM {table}{live};
      IF moved <> 0 THEN
        UPDATE counters SET value = value {sign} moved WHERE name = 'customers';
      END IF;
      RETURN NULL;
    END $$"""
POSTGRES_TRASH = [
    """CREATE FUNCTION customers_counter_trash() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE counters SET value = value + (CASE WHEN NEW.deleted_at IS NULL THEN 1 ELSE -1 END)
         WHERE name = 'customers';
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER customers_counter_trash AFTER UPDATE OF deleted_at ON customers FOR EACH ROW
       WHEN ((OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL))
       EXECUTE FUNCTION customers_counter_trash()""",
]


def _postgres_counters(live: str) -> list[str]:
    """The insert and delete counter functions, counting only rows matching `live`."""
    return [POSTGRES_COUNT.format(event="insert", table="inserted", live=live, sign="+"),
            POSTGRES_COUNT.format(event="delete", table="deleted", live=live, sign="-")]


def _first_entries(dialect: str) -> str:
    """INSERT ... SELECT of one `create` entry per existing record."""
    if dialect == "postgresql":
        values = ", ".join(f"('{name}', to_jsonb(c.{column}))" for name, column in FIELDS.items())
        changes = POSTGRES_CHANGES.format(values=values)
    else:
        values = " UNION ALL ".join(f"SELECT '{name}' AS name, c.{column} AS value"
                                    for name, column in FIELDS.items())
        changes = SQLITE_CHANGES.format(values=values)
    return f"INSERT INTO customer_history ({ENTRY_COLUMNS}) " + FIRST_ENTRY.format(changes=changes)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise NotImplementedError(f"no history migration for {dialect}")
    op.create_table('customer_history',
    sa.Column('customer_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by', sa.String(length=255), nullable=False),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('request_id', sa.String(length=128), nullable=False),
    sa.Column('changes', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('customer_id', 'version')
    )
    if dialect == "postgresql":
        # No write may slip between the first entries and the triggers below.
        op.execute("LOCK TABLE customers IN SHARE ROW EXCLUSIVE MODE")
    op.add_column('customers', sa.Column('deleted_at', sa.DateTime(), nullable=True))
    op.add_column('customers', sa.Column('deleted_by', sa.String(length=255), nullable=True))
    op.execute(_first_entries(dialect))
    for name, condition in (("live", "deleted_at IS NULL"), ("trash", "deleted_at IS NOT NULL")):
        op.create_index(f'ix_customers_{name}', 'customers', ['id'], unique=False,
                        sqlite_where=sa.text(condition), postgresql_where=sa.text(condition))
    if dialect == "sqlite":
        op.execute("DROP TRIGGER customers_counter_insert")
        op.execute("DROP TRIGGER customers_counter_delete")
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    else:
        for statement in [*_postgres_counters(" WHERE deleted_at IS NULL"), *POSTGRES_TRASH]:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    op.execute("DELETE FROM customers WHERE deleted_at IS NOT NULL")  # not counted: no change
    if dialect == "sqlite":
        for event in ("insert", "delete", "trash"):
            op.execute(f"DROP TRIGGER customers_counter_{event}")
        for statement in SQLITE_OLD_TRIGGERS:
            op.execute(statement)
    else:
        op.execute("DROP TRIGGER customers_counter_trash ON customers")
        op.execute("DROP FUNCTION customers_counter_trash()")
        for statement in _postgres_counters(""):
            op.execute(statement)
    op.drop_index('ix_customers_trash', table_name='customers')
    op.drop_index('ix_customers_live', table_name='customers')
    # Plain ALTER TABLE on both (SQLite has it since 3.35): no copy of the table, so its
    # AUTOINCREMENT and triggers stay as they are.
    op.execute("ALTER TABLE customers DROP COLUMN deleted_by")
    op.execute("ALTER TABLE customers DROP COLUMN deleted_at")
    op.drop_table('customer_history')
