"""PD credit: approvals of events per district or network-wide, and their audit trail

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('credit_approval',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('network_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('district_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('hours', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_credit_approval_event_id_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_approval')),
    sa.UniqueConstraint('event_id', 'scope', name=op.f('uq_credit_approval_event_id_scope'))
    )
    with op.batch_alter_table('credit_approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_approval_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_approval_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_approval_network_id'), ['network_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_approval_status'), ['status'], unique=False)

    op.create_table('credit_action',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('approval_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('hours', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approval_id'], ['credit_approval.id'], name=op.f('fk_credit_action_approval_id_credit_approval')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_action'))
    )
    with op.batch_alter_table('credit_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_action_approval_id'), ['approval_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('credit_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_action_approval_id'))

    op.drop_table('credit_action')
    with op.batch_alter_table('credit_approval', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_approval_status'))
        batch_op.drop_index(batch_op.f('ix_credit_approval_network_id'))
        batch_op.drop_index(batch_op.f('ix_credit_approval_event_id'))
        batch_op.drop_index(batch_op.f('ix_credit_approval_district_id'))

    op.drop_table('credit_approval')
