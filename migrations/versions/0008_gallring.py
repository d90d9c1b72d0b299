"""Gallring: the förbund's retention period and the mark on an anonymised ärende

Revision ID: 0008_gallring
Revises: 0006_rapporter
Create Date: 2026-11-23 13:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0008_gallring'
down_revision = '0006_rapporter'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forbund', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gallringsfrist_manader', sa.Integer(), nullable=True))
    with op.batch_alter_table('arende', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gallrad', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('arende', schema=None) as batch_op:
        batch_op.drop_column('gallrad')
    with op.batch_alter_table('forbund', schema=None) as batch_op:
        batch_op.drop_column('gallringsfrist_manader')
