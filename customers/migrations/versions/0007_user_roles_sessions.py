"""users: role, session generation, disabled_at; ids never reused on SQLite

A session cookie held only the person's id, so it outlived sign-out and password changes,
and on SQLite (no AUTOINCREMENT) a removed person's id went to the next one created. The
cookie now holds `id:session_generation`, and bumping the generation ends every session.

People who existed before this revision become `admin`: they could create, edit and delete
before, and they keep all of it (an operator narrows them with `users set-role`). New people
are viewers unless created with `--role`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:40:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# SQLite recreates the table in batch mode: the copy is made AUTOINCREMENT. PostgreSQL alters
# it in place (a recreated table would get a new sequence, starting again at 1).
RECREATE = {'table_kwargs': {'sqlite_autoincrement': True}}


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('users', recreate='always' if sqlite else 'auto',
                              **RECREATE) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('disabled_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE users SET role = 'admin'")
    with op.batch_alter_table('users', **RECREATE) as batch_op:
        batch_op.alter_column('role', existing_type=sa.String(length=16), nullable=False)


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('disabled_at')
        batch_op.drop_column('session_generation')
        batch_op.drop_column('role')
