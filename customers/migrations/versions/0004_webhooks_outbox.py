"""webhooks and webhook_messages: the receivers, and the outbox each change writes to

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:40:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('webhooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('events', sa.String(length=255), nullable=False),
    sa.Column('secret', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    op.create_table('webhook_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webhook_id', sa.Integer(), nullable=False),
    sa.Column('msg_id', sa.String(length=64), nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('first_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=255), nullable=True),
    sa.Column('leased_until', sa.DateTime(), nullable=True),
    sa.Column('lease_token', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['webhook_id'], ['webhooks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('msg_id')
    )
    op.create_index('ix_webhook_messages_due', 'webhook_messages',
                    ['webhook_id', 'state', 'next_attempt_at'], unique=False)
    op.create_index('ix_webhook_messages_record', 'webhook_messages',
                    ['webhook_id', 'customer_id', 'id'], unique=False)
    op.create_index('ix_webhook_messages_state_created', 'webhook_messages',
                    ['state', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_webhook_messages_state_created', table_name='webhook_messages')
    op.drop_index('ix_webhook_messages_record', table_name='webhook_messages')
    op.drop_index('ix_webhook_messages_due', table_name='webhook_messages')
    op.drop_table('webhook_messages')
    op.drop_table('webhooks')
