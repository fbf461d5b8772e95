"""login failures per client address: throttle per (email, address) with a ceiling per email

Failures recorded before this revision have no address; they are kept under "unknown", so
they still count toward their email's ceiling until they leave the window.

Revision ID: 0007
Revises: 0002
Create Date: 2026-12-01 20:30:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_address',
                                      sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=False, server_default='unknown'))
        batch_op.create_index('ix_login_failure_email_client_address_failed_at',
                              ['email', 'client_address', 'failed_at'], unique=False)
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.alter_column('client_address', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failure_email_client_address_failed_at')
        batch_op.drop_column('client_address')
