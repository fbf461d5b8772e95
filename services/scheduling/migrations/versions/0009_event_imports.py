"""event imports: jobs that create events from a spreadsheet, their line errors and the events
they created

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 12:06:39.175009
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event_import_job',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('network_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('processed', sa.Integer(), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('event_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('events_created', sa.Integer(), nullable=False),
    sa.Column('sessions_created', sa.Integer(), nullable=False),
    sa.Column('skipped_events', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_import_job'))
    )
    with op.batch_alter_table('event_import_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_import_job_network_id'), ['network_id'], unique=False)

    op.create_table('event_import_event',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('job_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_import_event_event_id_event')),
    sa.ForeignKeyConstraint(['job_id'], ['event_import_job.id'], name=op.f('fk_event_import_event_job_id_event_import_job')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_import_event'))
    )
    with op.batch_alter_table('event_import_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_import_event_job_id'), ['job_id'], unique=False)

    op.create_table('event_import_line_error',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('job_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['event_import_job.id'], name=op.f('fk_event_import_line_error_job_id_event_import_job')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_import_line_error'))
    )
    with op.batch_alter_table('event_import_line_error', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_import_line_error_job_id'), ['job_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('event_import_line_error', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_import_line_error_job_id'))
    op.drop_table('event_import_line_error')
    with op.batch_alter_table('event_import_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_import_event_job_id'))
    op.drop_table('event_import_event')
    with op.batch_alter_table('event_import_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_import_job_network_id'))
    op.drop_table('event_import_job')
