"""Swedish numbers, plurals and alphabetical order (Python and SQL on both databases)."""

from __future__ import annotations

from sqlalchemy import select

from samverkan.core import svenska
from samverkan.core.db import db
from samverkan.core.svenska import svensk_ordning
from samverkan.forbund.models import Part, PartTyp

NNBSP = "\u202f"  # narrow no-break space, CLDR's Swedish group separator


def test_numbers_have_a_narrow_no_break_space_between_thousands_and_a_decimal_comma():
    assert svenska.tal(1234567) == f"1{NNBSP}234{NNBSP}567"
    assert svenska.tal(1234.5) == f"1{NNBSP}234,5"
    assert svenska.tal(2.5, 2) == "2,50"
    assert svenska.tal(999) == "999"
    assert svenska.tal(None) == ""


def test_whole_numbers_read_as_babel_writes_them():
    # tal() writes whole numbers itself (issue 19: a page shows dozens): the same text.
    from babel.numbers import format_decimal

    for n in (*range(0, 2100, 7), 9_999, 10_000, 123_456, 1_000_000, 2**31 - 1):
        for decimaler in (None, 0):
            babel = format_decimal(n, format=None if decimaler is None else "#,##0", locale="sv_SE")
            assert svenska.tal(n, decimaler) == babel.replace("\u00a0", NNBSP), n
    assert svenska.tal(-1234) == f"-1{NNBSP}234"
    assert svenska.tal(1234, 1) == f"1{NNBSP}234,0"


def test_percent_is_swedish():
    assert svenska.procent(0.126) == f"13{NNBSP}%"
    assert svenska.procent(0.1256, 1) == f"12,6{NNBSP}%"
    assert svenska.procent(12.5) == f"1{NNBSP}250{NNBSP}%"


def test_plural_forms():
    assert svenska.antal(0, "ärende", "ärenden") == "0 ärenden"
    assert svenska.antal(1, "ärende", "ärenden") == "1 ärende"
    assert svenska.antal(2, "ärende", "ärenden") == "2 ärenden"
    assert svenska.antal(1, "punkt", "punkter") == "1 punkt"
    assert svenska.antal(2, "dag", "dagar") == "2 dagar"
    assert svenska.antal(1200, "dag", "dagar") == f"1{NNBSP}200 dagar"


NAMN = ["Östen Ölund", "Åsa Åberg", "Zacharias Zorn", "Ärla Ängel", "anna Andersson", "Emil Eriksson",
        "Élise Ekström", "Olle Oskarsson", "Björn Bäck", "Bo Berg"]
SVENSK_ORDNING = ["anna Andersson", "Björn Bäck", "Bo Berg", "Élise Ekström", "Emil Eriksson", "Olle Oskarsson",
                  "Zacharias Zorn", "Åsa Åberg", "Ärla Ängel", "Östen Ölund"]


def test_python_sorts_a_a_o_after_z():
    assert svenska.sortera(NAMN) == SVENSK_ORDNING
    assert svenska.sortera([{"n": n} for n in NAMN], key=lambda r: r["n"])[-1] == {"n": "Östen Ölund"}


def test_sql_order_by_sorts_a_a_o_after_z_on_both_databases(world):
    db.session.add_all(Part(forbund_id=world.forbund.id, typ=PartTyp.KOMMUN, namn=n) for n in NAMN)
    db.session.flush()
    namn = db.session.execute(
        select(Part.namn).where(Part.namn.in_(NAMN)).order_by(svensk_ordning(Part.namn))).scalars().all()
    assert namn == SVENSK_ORDNING
    # Descending works too (the expression takes .desc()).
    bakat = db.session.execute(
        select(Part.namn).where(Part.namn.in_(NAMN)).order_by(svensk_ordning(Part.namn).desc())).scalars().all()
    assert bakat == SVENSK_ORDNING[::-1]
