"""idempotency records for identity's writes; when each API key was last used

Revision ID: 0008
Revises: 0002
Create Date: 2026-12-01 20:30:00
"""
import sqlalchemy as sa
from alembic import op

from shared.idempotency import record_table_columns

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotency_record', *record_table_columns())
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
    op.drop_table('idempotency_record')
