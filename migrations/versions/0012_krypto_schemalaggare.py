"""The scheduler's lock row (one scheduler at a time on SQLite; PostgreSQL uses an advisory lock)

Revision ID: 0012_krypto_schemalaggare
Revises: 0011_krypto_token
Create Date: 2026-12-05 07:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_krypto_schemalaggare'
down_revision = '0011_krypto_token'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'schemalaggare_las',
        sa.Column('namn', sa.String(length=40), nullable=False),
        sa.Column('innehavare', sa.String(length=100), nullable=False),
        sa.Column('giltig_till', sa.DateTime(), nullable=False),
        sa.Column('tagen', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('namn', name=op.f('pk_schemalaggare_las')),
    )


def downgrade():
    op.drop_table('schemalaggare_las')
