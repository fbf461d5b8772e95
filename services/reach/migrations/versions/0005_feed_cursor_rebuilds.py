"""feed_cursor.rebuilds: how often `cascade reach rebuild` wound a cursor back, which a running
index watches to load the rebuilt read model again

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feed_cursor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rebuilds', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('feed_cursor', schema=None) as batch_op:
        batch_op.drop_column('rebuilds')
