"""events may belong to one of their network's programs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 11:59:40.833626
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('program_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=True))
        batch_op.create_index(batch_op.f('ix_event_program_id'), ['program_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_event_program_id_program'), 'program', ['program_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_event_program_id_program'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_event_program_id'))
        batch_op.drop_column('program_id')
