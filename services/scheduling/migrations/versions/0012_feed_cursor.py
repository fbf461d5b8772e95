"""feed cursor: how far scheduling has read identity's feed (the mail identity asks for)

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-01 20:40:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feed_cursor',
    sa.Column('feed', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('position', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('feed', name=op.f('pk_feed_cursor'))
    )


def downgrade() -> None:
    op.drop_table('feed_cursor')
