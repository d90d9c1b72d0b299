"""Consent per party and through the ärende's life; felregistrerad as its own state

- ``team.samtycke_alla_parter``: the team's stricter consent rule (every party of the
  team), and ``team.parallella_arenden``: whether one person may have two open ärenden
  in the team.
- ``samtycke.registrerad_av_id`` (who registered or renewed it) and
  ``samtycke.paminnelse_skickad`` (the reminder before expiry went out).
- ``arende.status`` gains ``felregistrerad``; ärenden closed as felregistrering move there.
- ``utskick.typ`` gains ``samtycke``: the reminder before a consent expires.

Revision ID: 0010_samtycke_parter_flode
Revises: 0010_rapport_budget_finsam
Create Date: 2026-12-05 06:30:00
"""
import sqlalchemy as sa
from alembic import op

from samverkan.core.migrering import sqlite_utan_fk

revision = '0010_samtycke_parter_flode'
down_revision = '0010_rapport_budget_finsam'
branch_labels = None
depends_on = None

GAMLA = ('utkast', 'aktualiserad', 'pa_agenda', 'samplanerad', 'i_ko', 'i_insats', 'uppfoljning',
         'avslutad', 'aterkallad')
NYA = (*GAMLA, 'felregistrerad')
UTSKICK_GAMLA = ('kallelse', 'tillagg', 'installning', 'paminnelse', 'inbjudan', 'aterstallning', 'inloggningsvarning')


def _in(values):
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    with sqlite_utan_fk(op.get_bind()):
        _upgrade()


def downgrade():
    with sqlite_utan_fk(op.get_bind()):
        _downgrade()


def _upgrade():
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('samtycke_alla_parter', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('parallella_arenden', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table('samtycke', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registrerad_av_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paminnelse_skickad', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_samtycke_registrerad_av_id_anvandare'), 'anvandare',
                                    ['registrerad_av_id'], ['id'])
    with op.batch_alter_table('arende', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_arende_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_arende_status'), _in(NYA))
    with op.batch_alter_table('utskick', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_utskick_utskicktyp'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_utskick_utskicktyp'), "typ IN (" + ", ".join(
            f"'{v}'" for v in (*UTSKICK_GAMLA, 'samtycke')) + ")")
    op.execute("UPDATE arende SET status = 'felregistrerad' "
               "WHERE status = 'avslutad' AND avslutsorsak = 'felregistrering'")


def _downgrade():
    op.execute("DELETE FROM utskick WHERE typ = 'samtycke'")
    with op.batch_alter_table('utskick', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_utskick_utskicktyp'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_utskick_utskicktyp'), "typ IN (" + ", ".join(
            f"'{v}'" for v in UTSKICK_GAMLA) + ")")
    op.execute("UPDATE arende SET status = 'avslutad' WHERE status = 'felregistrerad'")
    with op.batch_alter_table('arende', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_arende_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_arende_status'), _in(GAMLA))
    with op.batch_alter_table('samtycke', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_samtycke_registrerad_av_id_anvandare'), type_='foreignkey')
        batch_op.drop_column('paminnelse_skickad')
        batch_op.drop_column('registrerad_av_id')
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_column('parallella_arenden')
        batch_op.drop_column('samtycke_alla_parter')
