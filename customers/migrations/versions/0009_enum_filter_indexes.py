"""ix_customers_gender, ix_customers_marital_status: the list's enum filters through an index

The list page filters by gender and marital status (`gender=female`), and shows the total
of the matches. Without an index both the count and the page read every record. A partial
index of the live records on each enum and the id serves the count (an index-only count of
the matches) and the first page (the matches already in id order).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 13:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

INDEXES = {"ix_customers_gender": "gender", "ix_customers_marital_status": "marital_status"}
LIVE = "deleted_at IS NULL"


def upgrade():
    for name, column in INDEXES.items():
        op.create_index(name, 'customers', [column, 'id'], unique=False,
                        sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name='customers')
