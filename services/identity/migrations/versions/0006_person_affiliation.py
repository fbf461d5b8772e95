"""person affiliation: which organizations' people a person belongs to without a role there

Written when a person is matched or created for a network (sign-in sheets) and when scheduling's
feed shows them at a network's events; the people directory is scoped by it. The feed's cursor,
and each scheduling event's network (registrations name only their event), come with it.

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-01 20:20:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feed_cursor',
    sa.Column('feed', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('position', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('feed', name=op.f('pk_feed_cursor'))
    )
    op.create_table('event_network',
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('network_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event_network'))
    )
    op.create_table('person_affiliation',
    sa.Column('person_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('organization_id', sqlmodel.sql.sqltypes.AutoString(length=26), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_affiliation_person_id_person')),
    sa.PrimaryKeyConstraint('person_id', 'organization_id', name=op.f('pk_person_affiliation'))
    )
    with op.batch_alter_table('person_affiliation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_affiliation_organization_id'), ['organization_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('person_affiliation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_affiliation_organization_id'))

    op.drop_table('person_affiliation')
    op.drop_table('event_network')
    op.drop_table('feed_cursor')
