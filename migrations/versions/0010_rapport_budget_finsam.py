"""Team budget per year (cost per deltagare), Uppföljning Finsam registration per insats,
the förbund's own age bands

Revision ID: 0010_rapport_budget_finsam
Revises: 0010_sak_inloggningsvarning
Create Date: 2026-12-05 06:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_rapport_budget_finsam'
down_revision = '0010_sak_inloggningsvarning'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('team_budget',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('ar', sa.Integer(), nullable=False),
    sa.Column('belopp', sa.Integer(), nullable=False),
    sa.Column('andrad_av_id', sa.Integer(), nullable=False),
    sa.Column('andrad', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['andrad_av_id'], ['anvandare.id'], name=op.f('fk_team_budget_andrad_av_id_anvandare')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_team_budget_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_budget')),
    sa.UniqueConstraint('team_id', 'ar', name=op.f('uq_team_budget_team_id_ar'))
    )
    with op.batch_alter_table('team_budget', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_budget_team_id'), ['team_id'], unique=False)

    op.create_table('finsam_insats_registrering',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('insats_id', sa.Integer(), nullable=False),
    sa.Column('in_registrerad', sa.Date(), nullable=True),
    sa.Column('ut_registrerad', sa.Date(), nullable=True),
    sa.Column('registrerad_av_id', sa.Integer(), nullable=False),
    sa.Column('andrad', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['insats_id'], ['insats.id'], name=op.f('fk_finsam_insats_registrering_insats_id_insats')),
    sa.ForeignKeyConstraint(['registrerad_av_id'], ['anvandare.id'],
                            name=op.f('fk_finsam_insats_registrering_registrerad_av_id_anvandare')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finsam_insats_registrering')),
    sa.UniqueConstraint('insats_id', name=op.f('uq_finsam_insats_registrering_insats_id'))
    )

    op.create_table('aldersindelning',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forbund_id', sa.Integer(), nullable=False),
    sa.Column('granser', sa.String(length=200), nullable=False),
    sa.Column('andrad_av_id', sa.Integer(), nullable=False),
    sa.Column('andrad', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['andrad_av_id'], ['anvandare.id'], name=op.f('fk_aldersindelning_andrad_av_id_anvandare')),
    sa.ForeignKeyConstraint(['forbund_id'], ['forbund.id'], name=op.f('fk_aldersindelning_forbund_id_forbund')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aldersindelning')),
    sa.UniqueConstraint('forbund_id', name=op.f('uq_aldersindelning_forbund_id'))
    )


def downgrade():
    op.drop_table('aldersindelning')
    op.drop_table('finsam_insats_registrering')
    with op.batch_alter_table('team_budget', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_budget_team_id'))
    op.drop_table('team_budget')
