"""A förbund runs itself: team_part, party short names, team kind and rules, one-time links

- ``team_part``: which of the förbund's parties sit in a team, chosen by the admin. Filled
  here from each team's ledamöter, which is what decided a team's parties before.
- ``part.kortnamn``; ``team.typ`` (Trisam, Samverkanscirkel, other), the meeting's
  length, planning months, time per ärende, the agenda deadline and the reminder in days.
- ``team.kallelse_dagar_fore``: existing teams keep what they had (NULL: the Friday of
  the week before); a team set up by the admin gets 7 days (forbund.services, which
  checks 1–60).

On SQLite nothing here recreates ``team`` (a batch copy of a table other rows point at
fails under ``PRAGMA foreign_keys=ON`` once there is data): its columns are added in place.
- ``engangslank``: invitation and password-reset links (only their hash).
- ``utskick.typ`` gains ``inbjudan`` and ``aterstallning`` (account mail in the outbox).

Revision ID: 0010_admin_forbund
Revises: 0012_krypto_schemalaggare
Create Date: 2026-12-05 06:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_admin_forbund'
down_revision = '0012_krypto_schemalaggare'
branch_labels = None
depends_on = None

_UTSKICK_GAMLA = ('kallelse', 'tillagg', 'installning', 'paminnelse')
_UTSKICK_NYA = (*_UTSKICK_GAMLA, 'inbjudan', 'aterstallning')


def _utskicktyp(varden):
    return sa.Enum(*varden, name='utskicktyp', native_enum=False, create_constraint=True, length=40)


def upgrade():
    op.create_table(
        'team_part',
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('part_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['part_id'], ['part.id'], name=op.f('fk_team_part_part_id_part')),
        sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_team_part_team_id_team')),
        sa.PrimaryKeyConstraint('team_id', 'part_id', name=op.f('pk_team_part')),
    )
    with op.batch_alter_table('team_part', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_part_part_id'), ['part_id'], unique=False)
    # Backfill: a team's parties were those of its ledamöter.
    op.execute(
        "INSERT INTO team_part (team_id, part_id) "
        "SELECT DISTINCT m.team_id, a.part_id FROM medlemskap m JOIN anvandare a ON a.id = m.user_id "
        "WHERE m.roll = 'ledamot' AND a.part_id IS NOT NULL"
    )

    op.create_table(
        'engangslank',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('syfte', sa.Enum('inbjudan', 'aterstallning', name='lanksyfte', native_enum=False,
                                   create_constraint=True, length=40), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('skapad', sa.DateTime(), nullable=False),
        sa.Column('giltig_till', sa.DateTime(), nullable=False),
        sa.Column('anvand', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['anvandare.id'], name=op.f('fk_engangslank_user_id_anvandare')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_engangslank')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_engangslank_token_hash')),
    )
    with op.batch_alter_table('engangslank', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engangslank_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('part', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kortnamn', sa.String(length=40), server_default='', nullable=False))

    # Plain ALTER TABLE … ADD COLUMN, not a batch copy (see above). On SQLite the kind's
    # CHECK is then not added (SQLite cannot add a constraint to a table in place).
    op.add_column('team', sa.Column('typ', sa.String(length=40), server_default='trisam', nullable=False))
    if op.get_bind().dialect.name != 'sqlite':
        op.create_check_constraint('teamtyp', 'team', sa.column('typ').in_(('trisam', 'samverkanscirkel', 'annan')))
    op.add_column('team', sa.Column('moteslangd_minuter', sa.Integer(), server_default='120', nullable=False))
    op.add_column('team', sa.Column('planeringsmanader', sa.String(length=40), server_default='', nullable=False))
    op.add_column('team', sa.Column('minuter_per_arende', sa.Integer(), nullable=True))
    op.add_column('team', sa.Column('anmalan_dagar_fore_kallelse', sa.Integer(), server_default='2',
                                  nullable=False))
    op.add_column('team', sa.Column('paminnelse_dagar_fore_anmalan', sa.Integer(), server_default='2',
                                  nullable=False))

    with op.batch_alter_table('utskick', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_utskick_utskicktyp'), type_='check')
        batch_op.create_check_constraint('utskicktyp', sa.column('typ').in_(_UTSKICK_NYA))


def downgrade():
    op.execute("DELETE FROM utskick WHERE typ IN ('inbjudan', 'aterstallning')")
    with op.batch_alter_table('utskick', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_utskick_utskicktyp'), type_='check')
        batch_op.create_check_constraint('utskicktyp', sa.column('typ').in_(_UTSKICK_GAMLA))
    # As in the upgrade: ALTER TABLE … DROP COLUMN in place, never a batch copy of team
    # (SQLite 3.35+ drops a column in place; a copy fails on a database with data).
    if op.get_bind().dialect.name != 'sqlite':  # SQLite never got it (see upgrade)
        op.drop_constraint(op.f('ck_team_teamtyp'), 'team', type_='check')
    for kolumn in ('paminnelse_dagar_fore_anmalan', 'anmalan_dagar_fore_kallelse', 'minuter_per_arende',
                   'planeringsmanader', 'moteslangd_minuter', 'typ'):
        op.execute(f'ALTER TABLE team DROP COLUMN {kolumn}')
    op.execute('ALTER TABLE part DROP COLUMN kortnamn')  # in place too: part is referenced everywhere
    with op.batch_alter_table('engangslank', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engangslank_user_id'))
    op.drop_table('engangslank')
    with op.batch_alter_table('team_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_part_part_id'))
    op.drop_table('team_part')
