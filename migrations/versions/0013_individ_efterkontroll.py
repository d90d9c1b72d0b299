"""The individual at the meeting and after avslut (issue 16, points 4 and 6)

The individual's attendance at an agenda item (with companions by role), their goals in
their own words (a row per revision), the starting step on the ladder (a flagged
stegmätning), the handover at avslut, the check months after avslut and the förbund's
number of months before it.

Revision ID: 0013_individ_efterkontroll
Revises: 0013_arende_deltagaruppgifter
Create Date: 2026-12-05 09:30:00
"""
import sqlalchemy as sa

from alembic import op

from samverkan.core.migrering import sqlite_utan_fk

revision = '0013_individ_efterkontroll'
down_revision = '0013_arende_deltagaruppgifter'
branch_labels = None
depends_on = None


def upgrade():
    # Batch mode rebuilds the table on SQLite: foreign keys off meanwhile (core.migrering).
    with sqlite_utan_fk(op.get_bind()):
        _upgrade()


def _upgrade():
    with op.batch_alter_table('forbund', schema=None) as batch_op:
        batch_op.add_column(sa.Column('efterkontroll_manader', sa.Integer(), server_default='6', nullable=False))
    with op.batch_alter_table('stegmatning', schema=None) as batch_op:
        batch_op.add_column(sa.Column('startsteg', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'individ_narvaro',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('arende_id', sa.Integer(), nullable=False),
        sa.Column('punkt_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('narstaende', sa.Integer(), server_default='0', nullable=False),
        sa.Column('tolk', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('annat_stod', sa.Integer(), server_default='0', nullable=False),
        sa.Column('registrerad_av_id', sa.Integer(), nullable=False),
        sa.Column('registrerad', sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('narvarande', 'pa_distans', 'inte_narvarande')",
                           name=op.f('ck_individ_narvaro_status')),
        sa.CheckConstraint('narstaende BETWEEN 0 AND 9', name=op.f('ck_individ_narvaro_narstaende')),
        sa.CheckConstraint('annat_stod BETWEEN 0 AND 9', name=op.f('ck_individ_narvaro_annat_stod')),
        sa.ForeignKeyConstraint(['arende_id'], ['arende.id'], name=op.f('fk_individ_narvaro_arende_id_arende')),
        sa.ForeignKeyConstraint(['punkt_id'], ['dagordningspunkt.id'],
                                name=op.f('fk_individ_narvaro_punkt_id_dagordningspunkt')),
        sa.ForeignKeyConstraint(['registrerad_av_id'], ['anvandare.id'],
                                name=op.f('fk_individ_narvaro_registrerad_av_id_anvandare')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_individ_narvaro')),
        sa.UniqueConstraint('punkt_id', name=op.f('uq_individ_narvaro_punkt_id')),
    )
    op.create_index(op.f('ix_individ_narvaro_arende_id'), 'individ_narvaro', ['arende_id'])
    op.create_table(
        'individ_mal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('arende_id', sa.Integer(), nullable=False),
        sa.Column('punkt_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.String(length=1000), nullable=False),
        sa.Column('skapad_av_id', sa.Integer(), nullable=False),
        sa.Column('skapad', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['arende_id'], ['arende.id'], name=op.f('fk_individ_mal_arende_id_arende')),
        sa.ForeignKeyConstraint(['punkt_id'], ['dagordningspunkt.id'],
                                name=op.f('fk_individ_mal_punkt_id_dagordningspunkt')),
        sa.ForeignKeyConstraint(['skapad_av_id'], ['anvandare.id'], name=op.f('fk_individ_mal_skapad_av_id_anvandare')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_individ_mal')),
    )
    op.create_index(op.f('ix_individ_mal_arende_id'), 'individ_mal', ['arende_id'])
    op.create_table(
        'overlamning',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('arende_id', sa.Integer(), nullable=False),
        sa.Column('part_id', sa.Integer(), nullable=True),
        sa.Column('vem', sa.String(length=200), nullable=False),
        sa.Column('hur', sa.String(length=500), nullable=False),
        sa.Column('nar', sa.Date(), nullable=False),
        sa.Column('registrerad_av_id', sa.Integer(), nullable=False),
        sa.Column('registrerad', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['arende_id'], ['arende.id'], name=op.f('fk_overlamning_arende_id_arende')),
        sa.ForeignKeyConstraint(['part_id'], ['part.id'], name=op.f('fk_overlamning_part_id_part')),
        sa.ForeignKeyConstraint(['registrerad_av_id'], ['anvandare.id'],
                                name=op.f('fk_overlamning_registrerad_av_id_anvandare')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_overlamning')),
        sa.UniqueConstraint('arende_id', name=op.f('uq_overlamning_arende_id')),
    )
    op.create_table(
        'efterkontroll',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('arende_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('forfaller', sa.Date(), nullable=False),
        sa.Column('i_inkorg', sa.DateTime(), nullable=True),
        sa.Column('utfall', sa.String(length=40), nullable=True),
        sa.Column('kontrollerad_den', sa.Date(), nullable=True),
        sa.Column('registrerad_av_id', sa.Integer(), nullable=True),
        sa.Column('skapad', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['arende_id'], ['arende.id'], name=op.f('fk_efterkontroll_arende_id_arende')),
        sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_efterkontroll_team_id_team')),
        sa.ForeignKeyConstraint(['registrerad_av_id'], ['anvandare.id'],
                                name=op.f('fk_efterkontroll_registrerad_av_id_anvandare')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_efterkontroll')),
        sa.UniqueConstraint('arende_id', name=op.f('uq_efterkontroll_arende_id')),
    )
    op.create_index(op.f('ix_efterkontroll_forfaller'), 'efterkontroll', ['forfaller'])
    op.create_index(op.f('ix_efterkontroll_team_id'), 'efterkontroll', ['team_id'])


def downgrade():
    with sqlite_utan_fk(op.get_bind()):
        _downgrade()


def _downgrade():
    op.drop_index(op.f('ix_efterkontroll_team_id'), table_name='efterkontroll')
    op.drop_index(op.f('ix_efterkontroll_forfaller'), table_name='efterkontroll')
    op.drop_table('efterkontroll')
    op.drop_table('overlamning')
    op.drop_index(op.f('ix_individ_mal_arende_id'), table_name='individ_mal')
    op.drop_table('individ_mal')
    op.drop_index(op.f('ix_individ_narvaro_arende_id'), table_name='individ_narvaro')
    op.drop_table('individ_narvaro')
    with op.batch_alter_table('stegmatning', schema=None) as batch_op:
        batch_op.drop_column('startsteg')
    with op.batch_alter_table('forbund', schema=None) as batch_op:
        batch_op.drop_column('efterkontroll_manader')
