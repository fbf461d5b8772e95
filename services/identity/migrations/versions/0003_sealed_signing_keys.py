"""signing keys sealed at rest: private_key holds the PEM encrypted with the key encryption key

The migration cannot read that key, so identity seals existing plain-text keys at start-up
(tokens/keys.py reseal_keys) and empties private_pem. Going down forgets sealed keys (it
cannot open them): identity makes a new one on first use and everyone signs in again.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:20:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_key', sa.Text(), nullable=True))
        batch_op.alter_column('private_pem', existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM signing_key WHERE private_pem IS NULL"))
    with op.batch_alter_table('signing_key', schema=None) as batch_op:
        batch_op.alter_column('private_pem', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('private_key')
