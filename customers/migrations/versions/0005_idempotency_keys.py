"""idempotency_keys: the Idempotency-Key of each POST and its first answer, for 24 hours

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:40:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('headers', sa.Text(), nullable=True),
    sa.Column('payload', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_idempotency_keys_token_key', 'idempotency_keys', ['token_id', 'key'],
                    unique=True)
    op.create_index('ix_idempotency_keys_created_at', 'idempotency_keys', ['created_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_idempotency_keys_created_at', table_name='idempotency_keys')
    op.drop_index('ix_idempotency_keys_token_key', table_name='idempotency_keys')
    op.drop_table('idempotency_keys')
