"""API tokens expire and have a scope (read / write)

Tokens made before this migration keep their present powers (``skriva``) and expire 90
days after it runs, so an integration has time to get a new token.

Revision ID: 0011_krypto_token
Revises: 0010_krypto_kryptering
Create Date: 2026-12-05 07:00:00
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0011_krypto_token'
down_revision = '0010_krypto_kryptering'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('giltig_till', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('omfang', sa.Enum('lasa', 'skriva', name='tokenomfang', native_enum=False,
                                                        create_constraint=True, length=40),
                                      nullable=False, server_default='skriva'))
    giltig = (dt.datetime.now(dt.UTC) + dt.timedelta(days=90)).replace(tzinfo=None)
    op.execute(sa.text('UPDATE api_token SET giltig_till = :g WHERE giltig_till IS NULL').bindparams(g=giltig))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.alter_column('giltig_till', existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column('omfang', existing_type=sa.String(length=40), server_default=None)


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_api_token_tokenomfang'), type_='check')
        batch_op.drop_column('omfang')
        batch_op.drop_column('giltig_till')
