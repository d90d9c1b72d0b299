"""Handlingsplan actions keep who ticked them off and their comment

The plan is read and ticked off between meetings (case page, kaseload), not only on the
overdue list; its history keeps the person and what they said, beside the date.

Revision ID: 0010_plan_atgard_klar
Revises: 0009_foregaende_index
Create Date: 2026-12-05 07:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_plan_atgard_klar'
down_revision = '0009_foregaende_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('atgard', schema=None) as batch_op:
        batch_op.add_column(sa.Column('klar_av_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('klar_kommentar', sa.String(length=500), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_atgard_klar_av_id_anvandare'), 'anvandare', ['klar_av_id'], ['id'])


def downgrade():
    with op.batch_alter_table('atgard', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_atgard_klar_av_id_anvandare'), type_='foreignkey')
        batch_op.drop_column('klar_kommentar')
        batch_op.drop_column('klar_av_id')
