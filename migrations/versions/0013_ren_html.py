"""Stored HTML is clean: frågeställningar and notes written before the rule pass the sanitiser once

Templates now mark ``arende.fragestallning`` and ``anteckning.text`` as safe without
cleaning them again on every render (issue 19). The services have sanitised both on
write for as long as they existed; this pass makes sure of the rows already stored, so a
row that somehow holds markup outside the allow-list is cleaned before it is ever shown
unparsed. Plainly inert rows (allow-listed tags without attributes) are skipped without
parsing; the rest go through ``sanitize_html`` and are written only when it changes them.

Revision ID: 0013_ren_html
Revises: 0010_samtycke_parter_flode
Create Date: 2026-12-05 09:30:00
"""
import sqlalchemy as sa
from alembic import op

from samverkan.core.html import ar_openbart_ren, sanitize_html

revision = '0013_ren_html'
down_revision = '0010_samtycke_parter_flode'
branch_labels = None
depends_on = None

KOLUMNER = (("arende", "fragestallning"), ("anteckning", "text"))
OMGANG = 1000


def upgrade():
    bind = op.get_bind()
    for tabell, kolumn in KOLUMNER:
        t = sa.table(tabell, sa.column("id", sa.Integer), sa.column(kolumn, sa.Text))
        andrade = []
        # Streamed in id order; the few rows that change are written after the read.
        rader = bind.execute(sa.select(t.c.id, t.c[kolumn]).order_by(t.c.id)
                             .execution_options(stream_results=True, yield_per=OMGANG))
        for rad_id, varde in rader:
            if varde and not ar_openbart_ren(varde):
                ren = sanitize_html(varde)
                if ren != varde:
                    andrade.append({"rad_id": rad_id, "ren": ren})
        for i in range(0, len(andrade), OMGANG):
            bind.execute(t.update().where(t.c.id == sa.bindparam("rad_id")).values({kolumn: sa.bindparam("ren")}),
                         andrade[i:i + OMGANG])


def downgrade():
    pass  # cleaned HTML stays clean: the dirty original is not kept anywhere
