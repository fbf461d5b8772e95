"""events carry what reach filters and breaks down by: subjects, grades, format, program; the
version columns are indexed because the engine follows the read model by them

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

TABLES = ('organization', 'person', 'membership', 'event', 'event_session', 'attendance')


def upgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subjects', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('grade_min', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('grade_max', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=20),
                                      nullable=True))
        batch_op.add_column(sa.Column('program_id', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=True))
    for table in TABLES:
        op.create_index(f'ix_{table}_version', table, ['version'])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f'ix_{table}_version', table_name=table)
    with op.batch_alter_table('event', schema=None) as batch_op:
        for column in ('program_id', 'format', 'grade_max', 'grade_min', 'subjects'):
            batch_op.drop_column(column)
