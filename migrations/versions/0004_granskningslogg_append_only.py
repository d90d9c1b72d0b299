"""Audit log append-only in the database (PostgreSQL): no UPDATE, DELETE or TRUNCATE

The application has no update or delete path for granskningslogg; these triggers make
the database refuse one too, whoever connects. SQLite (the local default) relies on the
application's guards in samverkan/core/audit.py.

Revision ID: 0004_granskningslogg
Revises: b7d19035e87b
Create Date: 2026-11-23 12:00:00
"""
from alembic import op

revision = '0004_granskningslogg'
down_revision = 'b7d19035e87b'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("""
        CREATE FUNCTION granskningslogg_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'granskningsloggen går inte att ändra eller radera';
        END $$
    """)
    op.execute("""
        CREATE TRIGGER granskningslogg_ingen_andring
        BEFORE UPDATE OR DELETE ON granskningslogg
        FOR EACH ROW EXECUTE FUNCTION granskningslogg_append_only()
    """)
    op.execute("""
        CREATE TRIGGER granskningslogg_ingen_tomning
        BEFORE TRUNCATE ON granskningslogg
        FOR EACH STATEMENT EXECUTE FUNCTION granskningslogg_append_only()
    """)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP TRIGGER granskningslogg_ingen_tomning ON granskningslogg")
    op.execute("DROP TRIGGER granskningslogg_ingen_andring ON granskningslogg")
    op.execute("DROP FUNCTION granskningslogg_append_only()")
