"""Reports: nyckeltal targets per team or förbund, Uppföljning Finsam registration marks

Revision ID: 0006_rapporter
Revises: 0005_motesarbete
Create Date: 2026-11-23 13:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_rapporter'
down_revision = '0005_motesarbete'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('nyckeltal_mal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forbund_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('nyckel', sa.String(length=40), nullable=False),
    sa.Column('mal', sa.Float(), nullable=False),
    sa.Column('parameter', sa.Integer(), nullable=True),
    sa.Column('andrad_av_id', sa.Integer(), nullable=False),
    sa.Column('andrad', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['andrad_av_id'], ['anvandare.id'], name=op.f('fk_nyckeltal_mal_andrad_av_id_anvandare')),
    sa.ForeignKeyConstraint(['forbund_id'], ['forbund.id'], name=op.f('fk_nyckeltal_mal_forbund_id_forbund')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_nyckeltal_mal_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nyckeltal_mal')),
    sa.UniqueConstraint('forbund_id', 'team_id', 'nyckel', name=op.f('uq_nyckeltal_mal_forbund_id_team_id_nyckel'))
    )
    with op.batch_alter_table('nyckeltal_mal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nyckeltal_mal_forbund_id'), ['forbund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nyckeltal_mal_team_id'), ['team_id'], unique=False)

    op.create_table('finsam_registrering',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('arende_id', sa.Integer(), nullable=False),
    sa.Column('start_registrerad', sa.Date(), nullable=True),
    sa.Column('slut_registrerad', sa.Date(), nullable=True),
    sa.Column('registrerad_av_id', sa.Integer(), nullable=False),
    sa.Column('andrad', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['arende_id'], ['arende.id'], name=op.f('fk_finsam_registrering_arende_id_arende')),
    sa.ForeignKeyConstraint(['registrerad_av_id'], ['anvandare.id'], name=op.f('fk_finsam_registrering_registrerad_av_id_anvandare')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finsam_registrering')),
    sa.UniqueConstraint('arende_id', name=op.f('uq_finsam_registrering_arende_id'))
    )


def downgrade():
    op.drop_table('finsam_registrering')
    with op.batch_alter_table('nyckeltal_mal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nyckeltal_mal_team_id'))
        batch_op.drop_index(batch_op.f('ix_nyckeltal_mal_forbund_id'))
    op.drop_table('nyckeltal_mal')
