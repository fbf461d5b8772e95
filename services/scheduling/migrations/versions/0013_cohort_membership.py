"""a leader's cohort entry names the network membership it granted in identity

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-01 20:40:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cohort_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('membership_id', sqlmodel.sql.sqltypes.AutoString(length=26),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cohort_entry', schema=None) as batch_op:
        batch_op.drop_column('membership_id')
