"""When a party sat in a team (team_part_historik): "alla parter närvarande" is judged
against the parties of the team on the meeting's date

Revision ID: 0013_team_part_historik
Revises: 0013_ren_html
Create Date: 2026-12-05 09:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_team_part_historik'
down_revision = '0013_ren_html'
branch_labels = None
depends_on = None


def upgrade():
    # No rows are copied: a team_part row without an open period counts as sitting since
    # the team began (forbund.services.team_parter_pa), which is what the data said so far.
    op.create_table('team_part_historik',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('fran', sa.Date(), nullable=True),
    sa.Column('till', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['part_id'], ['part.id'], name=op.f('fk_team_part_historik_part_id_part')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_team_part_historik_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_part_historik'))
    )
    with op.batch_alter_table('team_part_historik', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_part_historik_team_id'), ['team_id'], unique=False)


def downgrade():
    with op.batch_alter_table('team_part_historik', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_part_historik_team_id'))
    op.drop_table('team_part_historik')
