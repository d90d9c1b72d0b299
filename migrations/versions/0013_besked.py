"""Notices by mail (issue 16 points 2 and 5) and the protokoll's second justerare

- ``anvandare.besked_beslut``, ``besked_vecka``, ``besked_uppdrag``, ``besked_protokoll``:
  which notices the user wants (each on by default).
- ``utskick.typ`` gains ``beslut``, ``veckosammanstallning``, ``uppdrag`` and ``protokoll``;
  a partial unique index keeps the notices that belong to no meeting to one per person
  and event (the table's unique key cannot: its ``mote_id`` is NULL for them).
- ``protokoll.projektledare_justerat`` (the projektledare's step), ``justerare_id`` (a
  second justerare) and ``justerare_justerat`` (their step). A protokoll justerat before
  this had only the projektledare's step: its time is the justering's.

Revision ID: 0013_besked
Revises: 0013_insatsplatser
Create Date: 2026-12-05 09:30:00
"""
import sqlalchemy as sa
from alembic import op

from samverkan.core.migrering import sqlite_utan_fk

revision = '0013_besked'
down_revision = '0013_insatsplatser'
branch_labels = None
depends_on = None

UTSKICK_GAMLA = ('kallelse', 'tillagg', 'installning', 'paminnelse', 'inbjudan', 'aterstallning',
                 'inloggningsvarning', 'samtycke', 'erbjudande')  # 'erbjudande': 0013_insatsplatser
UTSKICK_NYA = (*UTSKICK_GAMLA, 'beslut', 'veckosammanstallning', 'uppdrag', 'protokoll')
BESKED = ('besked_beslut', 'besked_vecka', 'besked_uppdrag', 'besked_protokoll')
# As in the model (kallelser.models.BESKED_UTAN_MOTE).
BESKED_UTAN_MOTE = "mote_id IS NULL AND typ IN ('veckosammanstallning', 'uppdrag')"


def _typer(varden):
    return "typ IN (" + ", ".join(f"'{v}'" for v in varden) + ")"


def upgrade():
    with sqlite_utan_fk(op.get_bind()):
        _upgrade()


def downgrade():
    with sqlite_utan_fk(op.get_bind()):
        _downgrade()


def _upgrade():
    with op.batch_alter_table('anvandare', schema=None) as batch_op:
        for namn in BESKED:
            batch_op.add_column(sa.Column(namn, sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('utskick', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_utskick_utskicktyp'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_utskick_utskicktyp'), _typer(UTSKICK_NYA))
    op.create_index('uq_utskick_besked', 'utskick', ['typ', 'mottagare_id', 'version'], unique=True,
                    sqlite_where=sa.text(BESKED_UTAN_MOTE), postgresql_where=sa.text(BESKED_UTAN_MOTE))
    with op.batch_alter_table('protokoll', schema=None) as batch_op:
        batch_op.add_column(sa.Column('projektledare_justerat', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('justerare_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('justerare_justerat', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_protokoll_justerare_id_anvandare'), 'anvandare',
                                    ['justerare_id'], ['id'])
    op.execute("UPDATE protokoll SET projektledare_justerat = justerat WHERE justerat IS NOT NULL")


def _downgrade():
    with op.batch_alter_table('protokoll', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_protokoll_justerare_id_anvandare'), type_='foreignkey')
        batch_op.drop_column('justerare_justerat')
        batch_op.drop_column('justerare_id')
        batch_op.drop_column('projektledare_justerat')
    op.drop_index('uq_utskick_besked', table_name='utskick')
    op.execute("DELETE FROM utskick WHERE typ IN ('beslut', 'veckosammanstallning', 'uppdrag', 'protokoll')")
    with op.batch_alter_table('utskick', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_utskick_utskicktyp'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_utskick_utskicktyp'), _typer(UTSKICK_GAMLA))
    with op.batch_alter_table('anvandare', schema=None) as batch_op:
        for namn in reversed(BESKED):
            batch_op.drop_column(namn)
