"""Index arende.foregaende_arende_id

The case page looks up the ärende that återaktualiserade this one
(``foregaende_arende_id = :id ORDER BY id LIMIT 1``). Without an index the database can
only walk the table in id order and filter every row, which fits the case page's growth
in the benchmark (p50 655 ms at 10⁶ ärenden, 70 ms at 10⁴; not yet remeasured).

Revision ID: 0009_foregaende_index
Revises: 0008_gallring
Create Date: 2026-11-23 16:00:00
"""
from alembic import op

revision = '0009_foregaende_index'
down_revision = '0008_gallring'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('arende', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arende_foregaende_arende_id'), ['foregaende_arende_id'], unique=False)


def downgrade():
    with op.batch_alter_table('arende', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arende_foregaende_arende_id'))
