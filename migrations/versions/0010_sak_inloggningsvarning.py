"""The outbox may hold a warning to an account's owner about failed logins (no meeting)

``utskick.typ`` is a string with a CHECK constraint (native_enum=False); the new value
``inloggningsvarning`` widens the constraint. PostgreSQL: the constraint is dropped and
made again; SQLite: the table is rebuilt (batch), which carries the new constraint.

Revision ID: 0010_sak_inloggningsvarning
Revises: 0010_admin_forbund
Create Date: 2026-12-05 07:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_sak_inloggningsvarning'
down_revision = '0010_admin_forbund'
branch_labels = None
depends_on = None

FORE = ('kallelse', 'tillagg', 'installning', 'paminnelse', 'inbjudan', 'aterstallning')
EFTER = (*FORE, 'inloggningsvarning')


def _typ(varden):
    return sa.Enum(*varden, name='utskicktyp', native_enum=False, create_constraint=True, length=40)


def _byt(fran, till):
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_utskick_utskicktyp'), 'utskick', type_='check')
        lista = ", ".join(f"'{v}'" for v in till)
        op.create_check_constraint('utskicktyp', 'utskick', sa.text(f"typ IN ({lista})"))
    else:
        with op.batch_alter_table('utskick', schema=None) as batch_op:
            batch_op.alter_column('typ', existing_type=_typ(fran), type_=_typ(till), existing_nullable=False)


def upgrade():
    _byt(FORE, EFTER)


def downgrade():
    op.execute("DELETE FROM utskick WHERE typ = 'inloggningsvarning'")
    _byt(EFTER, FORE)
