"""confirmed email: sign-ups waiting for their link, password resets, invitations

Accounts get email_verified_at; the ones made before this stay unverified (null) until their
owner uses a link mailed to the address (a password reset, say).

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-01 20:30:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True),
                                      nullable=True))
    op.create_table('signup',
    sa.Column('id', String(length=26), nullable=False),
    sa.Column('email', String(length=320), nullable=False),
    sa.Column('full_name', String(length=200), nullable=False),
    sa.Column('role', String(length=30), nullable=False),
    sa.Column('password_hash', String(length=255), nullable=False),
    sa.Column('token_hash', String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signup')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_signup_token_hash'))
    )
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signup_email'), ['email'], unique=False)
    op.create_table('password_reset',
    sa.Column('id', String(length=26), nullable=False),
    sa.Column('account_id', String(length=26), nullable=False),
    sa.Column('token_hash', String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'],
                            name=op.f('fk_password_reset_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_token_hash'))
    )
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_account_id'), ['account_id'],
                              unique=False)
    op.create_table('invitation',
    sa.Column('id', String(length=26), nullable=False),
    sa.Column('organization_id', String(length=26), nullable=False),
    sa.Column('email', String(length=320), nullable=False),
    sa.Column('role', String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('invited_by', String(length=64), nullable=False),
    sa.Column('token_hash', String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('membership_id', String(length=26), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                            name=op.f('fk_invitation_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitation_token_hash'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_organization_id'), ['organization_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_organization_id'))
    op.drop_table('invitation')
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_account_id'))
    op.drop_table('password_reset')
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signup_email'))
    op.drop_table('signup')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
