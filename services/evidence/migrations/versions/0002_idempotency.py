"""idempotency records for evidence's writes (artifact uploads)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 20:30:00
"""
from alembic import op

from shared.idempotency import record_table_columns

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotency_record', *record_table_columns())


def downgrade() -> None:
    op.drop_table('idempotency_record')
