"""The demo's year, reported: every count of the GROUP BY report equals a plain Python count
over the same rows (a second, independent way to the same answer), and the demo gives the
report believable content (samcoach, several insats types, outcomes, attendance)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select

from samverkan.arenden.models import Arende
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.deltagare.models import KON_LABELS, Deltagare, Kon
from samverkan.demo.data import create_demo
from samverkan.forbund.models import Part, PartTyp
from samverkan.insatser.models import Insats, InsatsForm
from samverkan.moten.models import Mote, MotesTyp, Narvaro, NarvaroStatus
from samverkan.rapporter import services
from samverkan.rapporter.queries import Urval


def test_the_demo_report_equals_a_count_by_hand(ctx):
    clock.set_clock(lambda: dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC))
    resultat = create_demo()
    db.session.commit()
    till = clock.today()
    fran = till - dt.timedelta(days=364)
    rapport = services.period_rapport(Urval(resultat.forbund.id, None, fran, till), exakt=True)

    rader = db.session.execute(select(Arende, Deltagare).join(Deltagare, Deltagare.id == Arende.deltagare_id)).all()
    i_perioden = [(a, d) for a, d in rader
                  if a.aktualiserad_den and a.aktualiserad_den <= till and a.avslutsorsak != "felregistrering"
                  and (a.avslutad_den is None or a.avslutad_den >= fran)]
    per_kon = Counter(d.kon for _, d in {d.id: (a, d) for a, d in i_perioden}.values())
    kon = {r.etikett: r.celler[0].varde for r in rapport.tabell("kon").rader}
    assert kon == {**{KON_LABELS[k]: per_kon[k] for k in Kon}, "Totalt": sum(per_kon.values())}
    assert kon["Totalt"] >= 30

    avslutade = [(a, d) for a, d in i_perioden if a.avslutad_den and fran <= a.avslutad_den <= till]
    utfall = Counter(a.avslutsorsak for a, _ in avslutade)
    tabell = {r.etikett: r.celler[3].varde for r in rapport.tabell("utfall").rader}
    assert tabell["Arbete"] == utfall["arbete"] >= 3
    assert tabell["Totalt"] == len(avslutade) >= 8

    insatser = db.session.execute(select(Insats, Deltagare).join(Arende, Arende.id == Insats.arende_id)
                                  .join(Deltagare, Deltagare.id == Arende.deltagare_id)).all()
    samcoach = {(d.id, d.kon) for i, d in insatser if i.form == InsatsForm.SAMCOACH and i.startad}
    assert rapport.tabell("samcoach").rader[-1].celler[0].varde == len(samcoach) >= 5
    typer = {r.etikett: r.celler[3].varde for r in rapport.tabell("insatstyp").rader}
    assert sum(1 for k, v in typer.items() if v and k != "Totalt") >= 5
    # The seeds' gender pattern shows: rehabilitation for women, subsidised jobs for men.
    rehab = rapport.tabell("insatstyp").rader[[r.etikett for r in rapport.tabell("insatstyp").rader]
                                              .index("Arbetslivsinriktad rehabilitering")]
    assert rehab.celler[0].varde > rehab.celler[1].varde

    moten = db.session.execute(select(Mote).where(Mote.typ == MotesTyp.ARENDEDRAGNING, Mote.installt.is_(None),
                                                  Mote.starttid < clock.now())).scalars().all()
    narvaro = db.session.execute(select(Narvaro, Part.typ).join(Part, Part.id == Narvaro.part_id)).all()
    typer_pa_plats: dict[int, set] = {}
    for n, typ in narvaro:
        if n.status != NarvaroStatus.FRANVARANDE:
            typer_pa_plats.setdefault(n.mote_id, set()).add(typ)
    hallna = [m for m in moten if clock.local(m.starttid).date() >= fran]
    motesrad = rapport.tabell("moten").rader[-1]
    assert motesrad.celler[0].varde == len(hallna) >= 12
    # Every party present: someone from each of the four kinds of party.
    assert motesrad.celler[1].varde == sum(1 for m in hallna if typer_pa_plats.get(m.id, set()) == set(PartTyp))
    assert 0 < motesrad.celler[1].varde < motesrad.celler[0].varde
