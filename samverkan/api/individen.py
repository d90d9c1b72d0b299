"""API: the individual in the ärende — attendance at the team's meetings (with companions
by role), their goals in their own words and the plan's earlier wordings, the starting
step, and after avslut the handover and the efterkontroll.

Reading is a read of the ärende's details (audited as ``arende.visa``, like the case
page). Attendance, goals and the starting step are recorded with an agenda item's outcome
(``POST /moten/{mote_id}/dagordning/{punkt_id}/utfall``, field ``individ``); goals may be
revised between meetings here. The handover comes with the avslut
(``POST /arenden/{arende_id}/handelser``, field ``overlamning``).
"""

from __future__ import annotations

from samverkan.api.auth import api_user
from samverkan.api.endpoint import endpoint
from samverkan.api.schema import Datum, Heltal, Id, In, Lista, Objekt, Text, Tidpunkt, Ut, fields, langd, val
from samverkan.arenden import kodlistor
from samverkan.arenden import services as arende_services
from samverkan.auth import policy
from samverkan.efterkontroll import services as efterkontroll_services
from samverkan.samplanering import individen
from samverkan.samplanering.models import INDIVID_NARVARO, MAX_MEDFOLJANDE

NARVARO = val(INDIVID_NARVARO, kod="ogiltigt_val")


class IndividensNarvaro(Ut):
    punkt_id = Id()
    mote_id = Id(attribute="punkt.mote_id")
    motesdag = fields.Function(lambda n: n.punkt.mote.starttid.date().isoformat(), metadata={
        "type": "string", "format": "date"})
    status = fields.String(validate=NARVARO)
    narstaende = Heltal(minimum=0, maximum=MAX_MEDFOLJANDE, metadata={"description": "Antal närstående som följde med."})
    tolk = fields.Boolean()
    annat_stod = Heltal(minimum=0, maximum=MAX_MEDFOLJANDE, metadata={
        "description": "Antal andra som följde med (god man, stödperson …)."})


class Mal(Ut):
    text = fields.String(metadata={"description": "Individens mål med egna ord (vanlig text)."})
    punkt_id = Heltal(allow_none=True, metadata={"description": "Punkten där målet skrevs, om på ett möte."})
    skapad = Tidpunkt()


class Startsteg(Ut):
    steg_id = Id()
    nummer = Heltal(attribute="steg.nummer")
    namn = fields.String(attribute="steg.namn")
    sysselsattningsgrad = Heltal(minimum=0, maximum=100)
    datum = Datum()


class Overlamning(Ut):
    vem = fields.String()
    part_id = Heltal(allow_none=True)
    hur = fields.String()
    nar = Datum()


class Efterkontroll(Ut):
    forfaller = Datum(metadata={"description": "Dagen efterkontrollen läggs i projektledarens inkorg."})
    i_inkorg = Tidpunkt(allow_none=True)
    utfall = fields.String(allow_none=True, validate=val(kodlistor.EFTERKONTROLL_UTFALL, kod="ogiltigt_utfall"))
    kontrollerad_den = Datum(allow_none=True)


class Individen(Ut):
    arende_id = Id()
    mal = Objekt(Mal, allow_none=True, metadata={"description": "Planens nuvarande formulering."})
    tidigare_mal = Lista(Objekt(Mal), metadata={"description": "Tidigare formuleringar, senaste först."})
    startsteg = Objekt(Startsteg, allow_none=True)
    narvaro = Lista(Objekt(IndividensNarvaro), metadata={"description": "Äldst först."})
    overlamning = Objekt(Overlamning, allow_none=True)
    efterkontroll = Objekt(Efterkontroll, allow_none=True)


class NyttMal(In):
    text = Text(required=True, validate=langd(minimum=1, maximum=individen.MAX_MAL, kod="for_lang"))


@endpoint("GET", "/arenden/<int:arende_id>/individen", svar=Individen, fel=(403,))
@policy.regel("arende_detaljer")
def visa_individen(arende_id: int):
    """Individens närvaro, mål, startsteg, överlämning och efterkontroll (läsningen loggas)"""
    arende = arende_services.get_arende(api_user(), arende_id)
    uppgifter = individen.for_arende(arende.id)
    overlamning, kontroll = efterkontroll_services.for_arende(arende.id)
    return {"arende_id": arende.id, "mal": uppgifter.aktuellt_mal, "tidigare_mal": uppgifter.mal[1:],
            "startsteg": uppgifter.startsteg, "narvaro": uppgifter.narvaro, "overlamning": overlamning,
            "efterkontroll": kontroll}


@endpoint("POST", "/arenden/<int:arende_id>/individen/mal", body=NyttMal, svar=(201, Mal), fel=(403,))
@policy.regel("arende_detaljer")
def nytt_mal(arende_id: int, body: dict):
    """Skriv om individens mål mellan mötena (handläggaren, projektledaren eller samcoachen)

    Den tidigare formuleringen finns kvar i historiken."""
    return individen.nytt_mal(api_user(), arende_id, body["text"])
