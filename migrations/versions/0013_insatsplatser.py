"""Places and queues for every insats type, parallel insatser, offers that remind

- ``insatsplatser``: a team's number of places of one insats type (no row = no limit).
- ``insats.paminnelse_skickad``: the reminder about an offered place went out.
- ``team.erbjudande_paminnelse_dagar``: days an offer waits before that reminder (7).
- ``utskick.typ`` gains ``erbjudande``: the reminder to the projektledare.

Revision ID: 0013_insatsplatser
Revises: 0013_individ_efterkontroll
Create Date: 2026-12-05 09:30:00
"""
import sqlalchemy as sa
from alembic import op

from samverkan.core.migrering import sqlite_utan_fk

revision = '0013_insatsplatser'
down_revision = '0013_individ_efterkontroll'
branch_labels = None
depends_on = None

UTSKICK_GAMLA = ('kallelse', 'tillagg', 'installning', 'paminnelse', 'inbjudan', 'aterstallning',
                 'inloggningsvarning', 'samtycke')


def _utskick_typer(typer) -> None:
    with op.batch_alter_table('utskick', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_utskick_utskicktyp'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_utskick_utskicktyp'),
                                         "typ IN (" + ", ".join(f"'{v}'" for v in typer) + ")")


def upgrade():
    with sqlite_utan_fk(op.get_bind()):
        _upgrade()


def downgrade():
    with sqlite_utan_fk(op.get_bind()):
        _downgrade()


def _upgrade():
    op.create_table('insatsplatser',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('insatstyp_id', sa.Integer(), nullable=False),
    sa.Column('antal', sa.Integer(), nullable=False),
    sa.CheckConstraint('antal >= 0', name=op.f('ck_insatsplatser_antal_ej_negativt')),
    sa.ForeignKeyConstraint(['insatstyp_id'], ['insatstyp.id'], name=op.f('fk_insatsplatser_insatstyp_id_insatstyp')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_insatsplatser_team_id_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insatsplatser')),
    sa.UniqueConstraint('team_id', 'insatstyp_id', name=op.f('uq_insatsplatser_team_id_insatstyp_id'))
    )
    with op.batch_alter_table('insatsplatser', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insatsplatser_insatstyp_id'), ['insatstyp_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insatsplatser_team_id'), ['team_id'], unique=False)
    with op.batch_alter_table('insats', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paminnelse_skickad', sa.DateTime(), nullable=True))
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erbjudande_paminnelse_dagar', sa.Integer(), server_default='7',
                                      nullable=False))
    _utskick_typer((*UTSKICK_GAMLA, 'erbjudande'))


def _downgrade():
    op.execute("DELETE FROM utskick WHERE typ = 'erbjudande'")
    _utskick_typer(UTSKICK_GAMLA)
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_column('erbjudande_paminnelse_dagar')
    with op.batch_alter_table('insats', schema=None) as batch_op:
        batch_op.drop_column('paminnelse_skickad')
    with op.batch_alter_table('insatsplatser', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insatsplatser_team_id'))
        batch_op.drop_index(batch_op.f('ix_insatsplatser_insatstyp_id'))
    op.drop_table('insatsplatser')
