"""API: the meeting's work — attendance per party, one agenda item's outcome (handlingsplan,
follow-up date, decision, stegmätning), the team's samcoach caseload and queue, and
confirming an offered place or ending an insats.

Thin like the pages: the same services as meeting mode. The services judge the values
(as in meeting mode, each field with its own message): a refusal of several fields at once
answers 422 with ``fel.falt`` the first field and ``fel.falt_fel`` every field's message.
"""

from __future__ import annotations

from samverkan.api.arenden import ArendeReferens
from samverkan.api.auth import api_user
from samverkan.api.endpoint import endpoint
from samverkan.api.schema import Datum, Heltal, Id, In, Lista, Objekt, Sant, Text, Tidpunkt, Ut, fields, langd
from samverkan.auth import policy
from samverkan.core.db import db
from samverkan.insatser import models as insats_models
from samverkan.insatser import services as insats_services
from samverkan.insatser.models import InsatsForm, InsatsStatus
from samverkan.moten import hamta, narvaro, tider
from samverkan.moten.models import NarvaroStatus
from samverkan.samplanering import individen
from samverkan.samplanering import services as samplanering

NARVARO = [s.value for s in NarvaroStatus]
BESLUT = ["samcoach", "insats", "ordinarie", "bordlagd"]


class PartsNarvaro(Ut):
    part_id = Id()
    part = fields.String()
    status = fields.String(allow_none=True, metadata={"enum": [*NARVARO, None], "description": "null = inte registrerad."})
    person_id = Heltal(allow_none=True, metadata={"description": "Vem som deltog för parten, om angivet."})


class Narvaro(Ut):
    mote_id = Id()
    narvaro = Lista(Objekt(PartsNarvaro))


class NarvaroRad(In):
    part_id = Id(required=True)
    # The value list is documented; the service refuses another value beside its party.
    status = Text(required=True, metadata={"enum": NARVARO})
    person_id = Id(allow_none=True)


class NarvaroRegistrering(In):
    """Varje part i teamet ska anges."""

    narvaro = Lista(Objekt(NarvaroRad), required=True)


class AtgardRad(In):
    beskrivning = Text(allow_none=True, validate=langd(maximum=500, kod="for_lang"))
    part_id = Id(allow_none=True)
    ansvarig = Text(allow_none=True, validate=langd(maximum=200, kod="for_lang"))
    klar_senast = Datum(allow_none=True)


class Stegmatning(In):
    steg_id = Id(allow_none=True)
    sysselsattningsgrad = Heltal(minimum=0, maximum=100, allow_none=True)
    ors = Heltal(minimum=0, maximum=40, allow_none=True)


class Individ(In):
    """Individen vid punkten. narvaro krävs när någon följde med; inga namn."""

    narvaro = Text(allow_none=True, metadata={"enum": ["narvarande", "pa_distans", "inte_narvarande"]})
    narstaende = Heltal(minimum=0, maximum=9, allow_none=True)
    tolk = Sant(allow_none=True)
    annat_stod = Heltal(minimum=0, maximum=9, allow_none=True)
    mal = Text(allow_none=True, validate=langd(maximum=1000, kod="for_lang"), metadata={
        "description": "Individens mål med egna ord; sparas som planens nya formulering."})


class Utfall(In):
    """En punkts utfall på mötet, allt eller inget. bordlagd: punkten hanns inte och ärendet går
    tillbaka till inkorgen; övriga fält ignoreras. Annars krävs folj_upp_den, och vid uppföljning
    stegmatning; vid en ny punkt är stegmatning startsteget (frivilligt). samcoach utan ledig
    plats: ärendet sätts i kö."""

    beslut = Text(required=True, metadata={"enum": BESLUT})
    samcoach_id = Id(allow_none=True, metadata={"description": "Vid samcoach: en av teamets samcoacher."})
    insatstyp_id = Id(allow_none=True, metadata={"description": "Vid insats: en insats ur förbundets lista."})
    folj_upp_den = Datum(allow_none=True, metadata={
        "description": "När teamet följer upp; sätter ärendets nästa uppföljning."})
    atgarder = Lista(Objekt(AtgardRad), allow_none=True, validate=langd(maximum=10, kod="for_manga"))
    stegmatning = Objekt(Stegmatning, allow_none=True)
    individ = Objekt(Individ, allow_none=True)


class Insats(Ut):
    id = Id()
    arende = Objekt(ArendeReferens)
    form = fields.Enum(InsatsForm, by_value=fields.String)
    status = fields.Enum(InsatsStatus, by_value=fields.String)
    insatstyp = fields.Function(lambda i: i.insatstyp.namn if i.insatstyp else None,
                                metadata={"type": ["string", "null"]})
    samcoach_id = Heltal(allow_none=True)
    beslutad = Datum()
    i_ko_sedan = Tidpunkt(allow_none=True)
    erbjuden = Tidpunkt(allow_none=True)
    startad = Datum(allow_none=True)
    avslutad = Datum(allow_none=True)
    vantedagar = fields.Function(insats_services.vantedagar, metadata={
        "type": "integer", "description": "Startad (eller i dag) minus beslutad, i dagar."})
    kodagar = fields.Function(insats_services.kodagar, metadata={
        "type": ["integer", "null"],
        "description": "Dagar i kö: från köplatsen till erbjudandet (eller starten, eller i dag); null utan kö."})


class UtfallSvar(Ut):
    punkt_id = Id()
    arende = Objekt(ArendeReferens)
    beslut = fields.String()
    utfall = fields.String()
    folj_upp_den = Datum(allow_none=True)
    insats = Objekt(Insats, allow_none=True)
    antal_atgarder = Heltal(minimum=0)
    registrerat_i_efterhand = fields.Boolean(metadata={
        "description": "Registrerat efter mötesdagen (och före justering); så visas det även i historiken."})


class Kaseload(Ut):
    user_id = Id(attribute="medlemskap.user_id")
    namn = fields.String(attribute="medlemskap.user.namn")
    kapacitet = Heltal()
    lediga = Heltal()
    insatser = Lista(Objekt(Insats))


class Koplats(Ut):
    position = Heltal(minimum=1)
    vantat_dagar = Heltal(attribute="vantat")
    insats = Objekt(Insats)


class Samcoachlage(Ut):
    team_id = Id(attribute="team.id")
    samcoacher = Lista(Objekt(Kaseload), attribute="kaseloads")
    ko = Lista(Objekt(Koplats), metadata={"description": "Först i kön först."})


def _narvarolista(mote_id: int) -> dict:
    mote = hamta.get_mote(api_user(), mote_id)
    return {"mote_id": mote.id, "narvaro": [
        {"part_id": p.part.id, "part": p.part.namn, "status": p.narvaro.status.value if p.narvaro else None,
         "person_id": p.narvaro.person_id if p.narvaro else None}
        for p in narvaro.narvaro_for(mote)]}


@endpoint("GET", "/moten/<int:mote_id>/narvaro", svar=Narvaro)
@policy.regel("team_medlem")
def visa_narvaro(mote_id: int):
    """Närvaro per part på mötet"""
    return _narvarolista(mote_id)


@endpoint("PUT", "/moten/<int:mote_id>/narvaro", body=NarvaroRegistrering, svar=Narvaro, fel=(403,))
@policy.regel("projektledare")
def registrera_narvaro(mote_id: int, body: dict):
    """Registrera närvaro per part (projektledaren); från mötesdagen, låst efter justering

    Vid 422 med kod ogiltiga_uppgifter: fel.falt_fel har ett meddelande per fält. Före mötesdagen
    422 med kod fore_motesdagen."""
    narvaro.registrera(api_user(), mote_id,
                       {rad["part_id"]: (rad["status"], rad.get("person_id")) for rad in body["narvaro"]})
    return _narvarolista(mote_id)


@endpoint("POST", "/moten/<int:mote_id>/dagordning/<int:punkt_id>/utfall", body=Utfall, svar=UtfallSvar,
          fel=(403, 409))
@policy.regel("projektledare")
def registrera_utfall(mote_id: int, punkt_id: int, body: dict):
    """Registrera en punkts samplanering och beslut (projektledaren); från mötesdagen, låst efter justering

    Vid 422 med kod ogiltiga_uppgifter: fel.falt_fel har ett meddelande per fält. Före mötesdagen
    422 med kod fore_motesdagen; efter mötesdagen märks registreringen som gjord i efterhand."""
    atgarder = [samplanering.AtgardIn(beskrivning=a.get("beskrivning") or "", part_id=a.get("part_id"),
                                      ansvarig=a.get("ansvarig") or "", klar_senast=a.get("klar_senast"))
                for a in body.get("atgarder") or []]
    steg = body.get("stegmatning") or {}
    punkt = samplanering.registrera_punkt(
        api_user(), mote_id, punkt_id, beslut=body["beslut"], samcoach_id=body.get("samcoach_id"),
        insatstyp_id=body.get("insatstyp_id"), folj_upp_den=body.get("folj_upp_den"), atgarder=atgarder,
        steg_id=steg.get("steg_id"), sysselsattningsgrad=steg.get("sysselsattningsgrad"), ors=steg.get("ors"),
        individ=individen.IndividIn(**{k: v for k, v in (body.get("individ") or {}).items() if v is not None}),
    )
    insats = db.session.execute(
        db.select(insats_models.Insats).where(insats_models.Insats.punkt_id == punkt.id)
        .order_by(insats_models.Insats.id.desc()).limit(1)
    ).scalar_one_or_none()
    return {"punkt_id": punkt.id, "arende": punkt.arende, "beslut": punkt.beslut, "utfall": punkt.utfall,
            "folj_upp_den": punkt.folj_upp_den, "insats": insats,
            "antal_atgarder": len([a for a in atgarder if not a.tom]),
            "registrerat_i_efterhand": tider.registrerat_i_efterhand(punkt.mote, punkt)}


@endpoint("GET", "/teams/<int:team_id>/samcoach", svar=Samcoachlage)
@policy.regel("team_medlem")
def samcoachlage(team_id: int):
    """Samcoachernas kaseload med kapacitet, och kön med plats och väntetid (referenskoder)"""
    return insats_services.samcoachlage(api_user(), team_id)


@endpoint("POST", "/teams/<int:team_id>/insatser/<int:insats_id>/bekrafta", svar=Insats, fel=(403, 409))
@policy.regel("projektledare")
def bekrafta_plats(team_id: int, insats_id: int):
    """Bekräfta en erbjuden plats hos samcoach (projektledaren); ärendet går från i kö till i insats"""
    return insats_services.bekrafta_plats(api_user(), team_id, insats_id)


@endpoint("POST", "/teams/<int:team_id>/insatser/<int:insats_id>/avslut", svar=Insats, fel=(403, 409))
@policy.regel("projektledare")
def avsluta_insats(team_id: int, insats_id: int):
    """Avsluta en pågående insats (projektledaren); en ledig samcoachplats erbjuds den första i kön"""
    return insats_services.avsluta_insats(api_user(), team_id, insats_id)
