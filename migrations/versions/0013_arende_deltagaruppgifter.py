"""The ärende keeps what its handläggare entered about the person (kön, and the födelseår
that goes with an anonymous code), so a draft for a person registered by another team
never shows what that team stored (issue 15).

Revision ID: 0013_arende_deltagaruppgifter
Revises: 0013_team_part_historik
Create Date: 2026-12-05 09:45:00
"""
import sqlalchemy as sa

from alembic import op

from samverkan.core.migrering import sqlite_utan_fk

revision = '0013_arende_deltagaruppgifter'
down_revision = '0013_team_part_historik'
branch_labels = None
depends_on = None


def upgrade():
    # Batch mode rebuilds the table on SQLite: foreign keys off meanwhile (core.migrering).
    with sqlite_utan_fk(op.get_bind()):
        _upgrade()


def _upgrade():
    with op.batch_alter_table('arende', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uppgiven_kon', sa.Enum('kvinna', 'man', 'annat', name='kon', native_enum=False,
                                                              create_constraint=True, length=40), nullable=True))
        batch_op.add_column(sa.Column('uppgivet_fodelsear', sa.Integer(), nullable=True))


def downgrade():
    with sqlite_utan_fk(op.get_bind()):
        _downgrade()


def _downgrade():
    with op.batch_alter_table('arende', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_arende_kon'), type_='check')
        batch_op.drop_column('uppgivet_fodelsear')
        batch_op.drop_column('uppgiven_kon')
