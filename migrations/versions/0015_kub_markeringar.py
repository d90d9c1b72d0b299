"""The suppression's marks kept per förbund, year and tables (issue 19)

``kub_markeringar``: the mark of every cell of a year's kub ("<3", "–" or shown) as the
suppression set it, and the digest of the raw kub and the code it was set from
(``samverkan.rapporter.markeringar``). Marks only, no counts.

Revision ID: 0015_kub_markeringar
Revises: 0014_arendelistan
Create Date: 2026-12-06 10:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_kub_markeringar'
down_revision = '0014_arendelistan'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'kub_markeringar',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('forbund_id', sa.Integer(), nullable=False),
        sa.Column('ar', sa.Integer(), nullable=False),
        sa.Column('urval', sa.String(length=200), nullable=False),
        sa.Column('nyckel', sa.String(length=64), nullable=False),
        sa.Column('markeringar', sa.Text(), nullable=False),
        sa.Column('skapad', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['forbund_id'], ['forbund.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('forbund_id', 'ar', 'urval'),
    )


def downgrade():
    op.drop_table('kub_markeringar')
