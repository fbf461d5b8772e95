"""availability polls: candidate times, invitees with hashed private links, their answers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 11:56:56.231226
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('poll',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('network_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('winner_option_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=True),
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_poll_event_id_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll'))
    )
    with op.batch_alter_table('poll', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_poll_network_id'), ['network_id'], unique=False)

    op.create_table('poll_invitee',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('poll_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_poll_invitee_poll_id_poll')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_invitee')),
    sa.UniqueConstraint('poll_id', 'email', name=op.f('uq_poll_invitee_poll_id_email')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_poll_invitee_token_hash'))
    )
    with op.batch_alter_table('poll_invitee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_invitee_poll_id'), ['poll_id'], unique=False)

    op.create_table('poll_option',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('poll_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_poll_option_poll_id_poll')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_option'))
    )
    with op.batch_alter_table('poll_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_option_poll_id'), ['poll_id'], unique=False)

    op.create_table('poll_answer',
    sa.Column('invitee_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('option_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('poll_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('choice', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.CheckConstraint("choice IN ('yes', 'if_need_be', 'no')", name=op.f('ck_poll_answer_choice')),
    sa.ForeignKeyConstraint(['invitee_id'], ['poll_invitee.id'], name=op.f('fk_poll_answer_invitee_id_poll_invitee')),
    sa.ForeignKeyConstraint(['option_id'], ['poll_option.id'], name=op.f('fk_poll_answer_option_id_poll_option')),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_poll_answer_poll_id_poll')),
    sa.PrimaryKeyConstraint('invitee_id', 'option_id', name=op.f('pk_poll_answer'))
    )
    with op.batch_alter_table('poll_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_answer_poll_id'), ['poll_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('poll_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_answer_poll_id'))

    op.drop_table('poll_answer')
    with op.batch_alter_table('poll_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_option_poll_id'))

    op.drop_table('poll_option')
    with op.batch_alter_table('poll_invitee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_invitee_poll_id'))

    op.drop_table('poll_invitee')
    with op.batch_alter_table('poll', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_network_id'))
        batch_op.drop_index(batch_op.f('ix_poll_event_id'))

    op.drop_table('poll')
