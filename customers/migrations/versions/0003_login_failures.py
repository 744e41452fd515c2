"""login_failures: the sign-in throttle's failures, shared by every worker

Each gunicorn worker used to count failed sign-ins in its own memory, so N workers allowed N
times the attempts. The failures now live in the database.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 03:40:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('failed_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_login_failures_subject_failed_at', 'login_failures', ['subject', 'failed_at'],
                    unique=False)
    op.create_index('ix_login_failures_failed_at', 'login_failures', ['failed_at'], unique=False)


def downgrade():
    op.drop_index('ix_login_failures_failed_at', table_name='login_failures')
    op.drop_index('ix_login_failures_subject_failed_at', table_name='login_failures')
    op.drop_table('login_failures')
