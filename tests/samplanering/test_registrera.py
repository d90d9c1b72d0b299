"""Recording one agenda item in meeting mode: the handlingsplan, the follow-up date, the
decision (samcoach, another insats, ordinary support, not reached) and at a follow-up the
stegförflyttning — all or nothing, only by the team's projektledare, never after justering."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.core.errors import DomainError, Forbidden, NotFound, Valideringsfel
from samverkan.insatser.models import Insats, InsatsForm, InsatsStatus, Insatstyp
from samverkan.moten import dagordning, narvaro
from samverkan.moten.models import Dagordningspunkt, Narvaro, NarvaroStatus
from samverkan.protokoll.models import Protokoll
from samverkan.samplanering import services
from samverkan.samplanering.models import Atgard
from samverkan.uppfoljning import services as uppfoljning_services
from samverkan.uppfoljning.models import Stegmatning
from tests.moten.conftest import MOTESDAG, under_motet
from workflows import arende as wf

OM_TVA_MANADER = dt.date(2026, 4, 2)


def _atgard(world, **kw) -> services.AtgardIn:
    return services.AtgardIn(**{"beskrivning": "Kartläggning av arbetsförmåga", "part_id": world.parter["af"].id,
                                "ansvarig": "Jonna Exempel", "klar_senast": dt.date(2026, 3, 31), **kw})


def _ami(world) -> int:
    return db.session.execute(select(Insatstyp.id).where(Insatstyp.forbund_id == world.forbund.id,
                                                         Insatstyp.kod == "ami")).scalar_one()


def _antal(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_new_item_to_the_samcoach_records_everything_in_one_go(world, pa_agendan):
    mote, [punkt] = pa_agendan(1)
    under_motet(mote)
    pl, samcoach = world.users["projektledare"], world.users["samcoach"]
    services.registrera_punkt(pl, mote.id, punkt.id, beslut="samcoach", samcoach_id=samcoach.id,
                              folj_upp_den=OM_TVA_MANADER,
                              atgarder=[_atgard(world), services.AtgardIn()])  # an empty row is ignored
    db.session.commit()
    db.session.expire_all()
    arende = db.session.get(Arende, punkt.arende_id)
    assert arende.status == wf.I_INSATS and arende.nasta_uppfoljning == OM_TVA_MANADER
    triggers = db.session.execute(select(ArendeHandelse.trigger).where(ArendeHandelse.arende_id == arende.id)
                                  .order_by(ArendeHandelse.id)).scalars().all()
    assert triggers[-2:] == ["samplanera", "anvisa_insats"]
    punkt = db.session.get(Dagordningspunkt, punkt.id)
    assert (punkt.beslut, punkt.utfall, punkt.folj_upp_den, punkt.behandlad_av_id) == (
        "samcoach", "samplanerad", OM_TVA_MANADER, pl.id)
    [atgard] = db.session.execute(select(Atgard)).scalars().all()
    assert (atgard.arende_id, atgard.punkt_id, atgard.part_id, atgard.ansvarig) == (
        arende.id, punkt.id, world.parter["af"].id, "Jonna Exempel")
    [insats] = db.session.execute(select(Insats)).scalars().all()
    assert (insats.form, insats.status, insats.samcoach_id, insats.startad) == (
        InsatsForm.SAMCOACH, InsatsStatus.AKTIV, samcoach.id, clock.today())
    handlingar = db.session.execute(select(AuditEntry.handling)).scalars().all()
    assert {"samplanering.registrera", "insats.besluta", "arende.samplanera", "arende.anvisa_insats"} <= set(handlingar)


def test_another_insats_from_the_forbunds_list(world, pa_agendan):
    mote, [punkt] = pa_agendan(1)
    under_motet(mote)
    services.registrera_punkt(world.users["projektledare"], mote.id, punkt.id, beslut="insats",
                              insatstyp_id=_ami(world), folj_upp_den=OM_TVA_MANADER)
    db.session.commit()
    [insats] = db.session.execute(select(Insats)).scalars().all()
    assert insats.form == InsatsForm.INSATS and insats.insatstyp.namn == "AMI sysselsättning"
    assert insats.status == InsatsStatus.AKTIV and db.session.get(Arende, punkt.arende_id).status == wf.I_INSATS


def test_not_reached_goes_back_to_the_inbox_as_carried_over(world, pa_agendan):
    mote, [punkt] = pa_agendan(1)
    under_motet(mote)
    pl = world.users["projektledare"]
    services.registrera_punkt(pl, mote.id, punkt.id, beslut="bordlagd")
    db.session.commit()
    arende = db.session.get(Arende, punkt.arende_id)
    assert arende.status == wf.AKTUALISERAD and punkt.utfall == "bordlagd" and punkt.beslut == "bordlagd"
    [rad] = [r for r in arende_services.inkorg(pl, world.team.id).rader if r.arende.id == arende.id]
    assert rad.overford


def test_bad_input_gives_a_message_per_field_and_saves_nothing(world, pa_agendan):
    mote, [punkt] = pa_agendan(1)
    under_motet(mote)
    fore = {m: _antal(m) for m in (Atgard, Insats, ArendeHandelse, AuditEntry)}
    with pytest.raises(Valideringsfel) as error:
        services.registrera_punkt(
            world.users["projektledare"], mote.id, punkt.id, beslut="insats", insatstyp_id=None,
            folj_upp_den=dt.date(2026, 1, 1),
            atgarder=[_atgard(world), _atgard(world, beskrivning="", part_id=world.parter["af"].id + 999,
                                              ansvarig="", klar_senast=None)],
        )
    db.session.rollback()
    assert error.value.fel == {
        "insatstyp_id": "Välj en insats från förbundets lista.",
        "folj_upp_den": "Uppföljningen ska ligga efter i dag.",
        "atgard-1-beskrivning": "Åtgärd 2: beskriv åtgärden.",
        "atgard-1-part_id": "Åtgärd 2: välj vilken part som äger åtgärden.",
        "atgard-1-ansvarig": "Åtgärd 2: ange ansvarig person.",
        "atgard-1-klar_senast": "Åtgärd 2: ange när den ska vara klar (ÅÅÅÅ-MM-DD).",
    }
    assert {m: _antal(m) for m in fore} == fore
    assert db.session.get(Arende, punkt.arende_id).status == wf.PA_AGENDA
    with pytest.raises(Valideringsfel) as error:
        services.registrera_punkt(world.users["projektledare"], mote.id, punkt.id, beslut="kanske")
    assert error.value.fel == {"beslut": "Välj teamets beslut för punkten."}


def test_a_follow_up_records_the_stegforflyttning(world, pa_agendan, nytt_mote):
    mote, [punkt] = pa_agendan(1)
    under_motet(mote)
    pl = world.users["projektledare"]
    services.registrera_punkt(pl, mote.id, punkt.id, beslut="insats", insatstyp_id=_ami(world),
                              folj_upp_den=OM_TVA_MANADER)
    arende_services.fire(pl, punkt.arende_id, "kalla_till_uppfoljning", version=None)
    nasta = nytt_mote(MOTESDAG + dt.timedelta(days=28))
    uppfoljning = dagordning.lagg_till(pl, nasta.id, punkt.arende_id)
    db.session.commit()
    under_motet(nasta)
    assert uppfoljning.uppfoljning
    steg = uppfoljning_services.stege(world.forbund.id)

    with pytest.raises(Valideringsfel) as error:
        services.registrera_punkt(pl, nasta.id, uppfoljning.id, beslut="insats", insatstyp_id=_ami(world),
                                  folj_upp_den=OM_TVA_MANADER + dt.timedelta(days=60), steg_id=None,
                                  sysselsattningsgrad=120, ors=41)
    db.session.rollback()
    assert set(error.value.fel) == {"steg_id", "sysselsattningsgrad", "ors"}
    assert _antal(Stegmatning) == 0

    services.registrera_punkt(pl, nasta.id, uppfoljning.id, beslut="insats", insatstyp_id=_ami(world),
                              folj_upp_den=OM_TVA_MANADER + dt.timedelta(days=60), steg_id=steg[3].id,
                              sysselsattningsgrad=25, ors=28)
    db.session.commit()
    [matning] = db.session.execute(select(Stegmatning)).scalars().all()
    assert (matning.steg.nummer, matning.sysselsattningsgrad, matning.ors, matning.punkt_id) == (
        4, 25, 28, uppfoljning.id)
    arende = db.session.get(Arende, punkt.arende_id)
    assert arende.status == wf.I_INSATS and uppfoljning.utfall == "foljd_upp"
    # The same insats continues: no second row.
    assert _antal(Insats) == 1


def test_an_item_is_recorded_once(world, pa_agendan):
    mote, [punkt] = pa_agendan(1)
    under_motet(mote)
    pl = world.users["projektledare"]
    services.registrera_punkt(pl, mote.id, punkt.id, beslut="ordinarie", folj_upp_den=OM_TVA_MANADER)
    db.session.commit()
    with pytest.raises(DomainError) as error:
        services.registrera_punkt(pl, mote.id, punkt.id, beslut="bordlagd")
    assert error.value.code == "redan_behandlad"


def test_only_the_teams_projektledare_records(world, pa_agendan):
    mote, [punkt] = pa_agendan(1)
    for key, fel in (("ledamot_af", Forbidden), ("samcoach", Forbidden), ("granne", NotFound)):
        with pytest.raises(fel):
            services.registrera_punkt(world.users[key], mote.id, punkt.id, beslut="bordlagd")
        with pytest.raises(fel):
            narvaro.registrera(world.users[key], mote.id, {})
    db.session.rollback()
    assert db.session.get(Arende, punkt.arende_id).status == wf.PA_AGENDA


def test_recording_is_refused_after_justering(world, pa_agendan):
    mote, [punkt] = pa_agendan(1)
    db.session.add(Protokoll(mote_id=mote.id, justerat=clock.now(), justerat_av_id=world.users["projektledare"].id))
    db.session.commit()
    pl = world.users["projektledare"]
    with pytest.raises(DomainError) as error:
        services.registrera_punkt(pl, mote.id, punkt.id, beslut="bordlagd")
    assert error.value.code == "protokoll_justerat"
    with pytest.raises(DomainError) as error:
        narvaro.registrera(pl, mote.id, {})
    assert error.value.code == "protokoll_justerat"


def test_attendance_per_party(world, pa_agendan):
    mote, _ = pa_agendan(0)
    under_motet(mote)
    pl = world.users["projektledare"]
    parter = narvaro.narvaro_for(mote)
    assert {p.part.id for p in parter} == set(world.team_part_ids())
    rader = {p.part.id: ("narvarande", None) for p in parter}
    rader[world.parter["af"].id] = ("genom_ersattare", world.users["ersattare_af"].id)
    rader[world.parter["fk"].id] = ("franvarande", world.users["ledamot_fk"].id)
    rader[world.parter["region"].id] = ("", None)
    with pytest.raises(Valideringsfel) as error:
        narvaro.registrera(pl, mote.id, {**rader, world.parter["kommun"].id: ("per_telefon",
                                                                                world.users["ledamot_af"].id)})
    db.session.rollback()
    assert set(error.value.fel) == {f"person-{world.parter['kommun'].id}", f"narvaro-{world.parter['region'].id}"}
    assert _antal(Narvaro) == 0
    rader[world.parter["region"].id] = ("per_telefon", None)
    narvaro.registrera(pl, mote.id, rader)
    db.session.commit()
    sparat = {n.part_id: (n.status, n.person_id) for n in db.session.execute(select(Narvaro)).scalars()}
    assert sparat[world.parter["af"].id] == (NarvaroStatus.GENOM_ERSATTARE, world.users["ersattare_af"].id)
    assert sparat[world.parter["fk"].id] == (NarvaroStatus.FRANVARANDE, None)
    # Recording again changes the rows, it does not add more.
    rader[world.parter["fk"].id] = ("narvarande", None)
    narvaro.registrera(pl, mote.id, rader)
    db.session.commit()
    assert _antal(Narvaro) == 4
