"""Encryption at rest: personnummer and TOTP secrets encrypted, a keyed hash to search by

``deltagare.personnummer`` and ``anvandare.totp_hemlighet`` are widened to hold
``aes1:<key id>:<base64>`` and every plain value is encrypted under the current key
(``SAMVERKAN_KRYPTERINGSNYCKLAR``). ``deltagare.personnummer_sok`` (HMAC-SHA256 under
``SAMVERKAN_SOKNYCKEL``) takes over the unique index per förbund.

Safe to run twice (e.g. stamped back and upgraded again after a failed run): each schema
step looks first, and only values not yet encrypted are touched.

Revision ID: 0010_krypto_kryptering
Revises: 0010_plan_atgard_klar
Create Date: 2026-12-05 06:30:00
"""

import sqlalchemy as sa
from alembic import op

from samverkan.core.migrering import sqlite_utan_fk

from samverkan.core import krypto

revision = '0010_krypto_kryptering'
down_revision = '0010_plan_atgard_klar'
branch_labels = None
depends_on = None

# Literal here, not imported from the models: a migration stays what it was.
PERSONNUMMER = krypto.Falt('deltagare', 'personnummer', 'deltagare.personnummer', 'personnummer_sok')
TOTP = krypto.Falt('anvandare', 'totp_hemlighet', 'anvandare.totp_hemlighet')


def _kolumner(tabell):
    return {c['name']: c for c in sa.inspect(op.get_bind()).get_columns(tabell)}


def _villkor(tabell):
    return {c['name'] for c in sa.inspect(op.get_bind()).get_check_constraints(tabell)}


def upgrade():
    with sqlite_utan_fk(op.get_bind()):
        _upgrade()


def downgrade():
    with sqlite_utan_fk(op.get_bind()):
        _downgrade()


def _upgrade():
    deltagare = _kolumner('deltagare')
    if 'personnummer_sok' not in deltagare:
        with op.batch_alter_table('deltagare', schema=None) as batch_op:
            batch_op.alter_column('personnummer', existing_type=sa.String(length=12),
                                  type_=sa.String(length=120), existing_nullable=True)
            batch_op.add_column(sa.Column('personnummer_sok', sa.String(length=64), nullable=True))
            batch_op.drop_constraint(batch_op.f('uq_deltagare_forbund_id_personnummer'), type_='unique')
            batch_op.create_unique_constraint(batch_op.f('uq_deltagare_forbund_id_personnummer_sok'),
                                              ['forbund_id', 'personnummer_sok'])
    if getattr(_kolumner('anvandare')['totp_hemlighet']['type'], 'length', 0) != 160:
        with op.batch_alter_table('anvandare', schema=None) as batch_op:
            batch_op.alter_column('totp_hemlighet', existing_type=sa.String(length=64),
                                  type_=sa.String(length=160), existing_nullable=True)

    bind = op.get_bind()
    for falt in (PERSONNUMMER, TOTP):
        krypto.skriv_om(bind, falt, bara_klartext=True)

    if 'ck_deltagare_personnummer_sok' not in _villkor('deltagare'):
        with op.batch_alter_table('deltagare', schema=None) as batch_op:
            batch_op.create_check_constraint(batch_op.f('ck_deltagare_personnummer_sok'),
                                             '(personnummer IS NULL) = (personnummer_sok IS NULL)')


def _downgrade():
    bind = op.get_bind()
    for falt in (PERSONNUMMER, TOTP):
        krypto.skriv_klartext(bind, falt)
    with op.batch_alter_table('anvandare', schema=None) as batch_op:
        batch_op.alter_column('totp_hemlighet', existing_type=sa.String(length=160),
                              type_=sa.String(length=64), existing_nullable=True)
    with op.batch_alter_table('deltagare', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_deltagare_personnummer_sok'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_deltagare_forbund_id_personnummer_sok'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_deltagare_forbund_id_personnummer'),
                                          ['forbund_id', 'personnummer'])
        batch_op.drop_column('personnummer_sok')
        batch_op.alter_column('personnummer', existing_type=sa.String(length=120),
                              type_=sa.String(length=12), existing_nullable=True)
