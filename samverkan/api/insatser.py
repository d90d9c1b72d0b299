"""API: an ärende's insatser and a further one started beside them (parallel insatser),
the team's places and queues per insats type, the offers waiting for confirmation, and
declining an offer. (Confirming an offer and ending an insats: ``api/motesarbete.py``.)

Thin like the pages: the same services (``insatser.services``, ``insatser.koer``).
"""

from __future__ import annotations

from samverkan.api.arenden import ArendeReferens
from samverkan.api.auth import api_user
from samverkan.api.endpoint import endpoint
from samverkan.api.motesarbete import Insats, Koplats
from samverkan.api.schema import Heltal, Id, In, Lista, Objekt, Text, Ut, fields, val
from samverkan.auth import policy
from samverkan.core.errors import DomainError
from samverkan.insatser import koer
from samverkan.insatser import services as insats_services
from samverkan.insatser.models import InsatsForm

FORMER = [f.value for f in InsatsForm]


class ArendetsInsatser(Ut):
    arende = Objekt(ArendeReferens)
    insatser = Lista(Objekt(Insats), metadata={"description": "Pågående, köade och erbjudna först, sedan avslutade."})


class StartaInsats(In):
    """En insats till, parallellt med ärendets öppna. Samma slag (samma insatstyp, eller
    samcoach) får bara vara öppen en gång."""

    form = Text(required=True, validate=val(FORMER), metadata={"enum": FORMER})
    insatstyp_id = Id(allow_none=True, metadata={"description": "Vid insats: en insats ur förbundets lista."})
    samcoach_id = Id(allow_none=True, metadata={"description": "Vid samcoach: en av teamets samcoacher."})


class Typlage(Ut):
    insatstyp_id = Id(attribute="insatstyp.id")
    namn = fields.String(attribute="insatstyp.namn")
    antal = Heltal(minimum=0, allow_none=True, metadata={"description": "Teamets platser; null = obegränsat (ingen kö)."})
    lediga = Heltal(minimum=0, allow_none=True)
    insatser = Lista(Objekt(Insats), metadata={"description": "Med plats: pågående och erbjudna."})
    ko = Lista(Objekt(Koplats), metadata={"description": "Först i kön först."})


class Erbjudande(Ut):
    insats = Objekt(Insats, attribute="insats")
    dagar = Heltal(minimum=0, metadata={"description": "Dagar sedan platsen erbjöds."})


class Platslage(Ut):
    team_id = Id(attribute="team.id")
    paminnelse_dagar = Heltal(attribute="team.erbjudande_paminnelse_dagar", metadata={
        "description": "Efter så många dagar får projektledaren en påminnelse om en erbjuden plats."})
    typer = Lista(Objekt(Typlage))
    erbjudanden = Lista(Objekt(Erbjudande), metadata={
        "description": "Erbjudna platser (alla slag, även samcoach) som väntar på bekräftelse, äldst först."})


class PlatsRad(In):
    insatstyp_id = Id(required=True)
    antal = Heltal(minimum=0, maximum=koer.MAX_PLATSER, required=True, allow_none=True,
                   metadata={"description": "null = obegränsat antal (ingen kö)."})


class SparaPlatser(In):
    """Platserna för de insatser som anges (övriga lämnas som de är), och antal dagar
    innan påminnelsen om en erbjuden plats."""

    platser = Lista(Objekt(PlatsRad), required=True)
    paminnelse_dagar = Heltal(minimum=1, maximum=koer.MAX_PAMINNELSE_DAGAR)


def _platslage(team_id: int) -> dict:
    lage = koer.platslage(api_user(), team_id)
    return {"team": lage.team, "typer": lage.typer,
            "erbjudanden": [{"insats": i, "dagar": insats_services.erbjuden_dagar(i)}
                            for i in koer.erbjudanden([lage.team.id])]}


@endpoint("GET", "/arenden/<int:arende_id>/insatser", svar=ArendetsInsatser, fel=(403,))
@policy.regel("arende_detaljer")
def arendets_insatser(arende_id: int):
    """Ärendets insatser med status, väntetid och tid i kö"""
    arende, insatser = koer.arendets_insatser(api_user(), arende_id)
    return {"arende": arende, "insatser": insatser}


@endpoint("POST", "/arenden/<int:arende_id>/insatser", body=StartaInsats, svar=(201, Insats), fel=(403, 409))
@policy.regel("arende_handling")
def starta_insats(arende_id: int, body: dict):
    """Starta en insats till, parallellt med de öppna (projektledaren)

    Med ledig plats startar den (aktiv); annars väntar den i teamets kö för insatsen (ko).
    Ett ärende i kö som får en startad insats går till i insats. 409 när ärendet inte har
    samplanerats till insats, eller redan har en öppen insats av samma slag."""
    return insats_services.starta(api_user(), arende_id, InsatsForm(body["form"]),
                                  samcoach_id=body.get("samcoach_id"), insatstyp_id=body.get("insatstyp_id"))


@endpoint("GET", "/teams/<int:team_id>/insatsplatser", svar=Platslage)
@policy.regel("team_medlem")
def insatsplatser(team_id: int):
    """Platser och kö per insats i teamet, och erbjudna platser som väntar (referenskoder)"""
    return _platslage(team_id)


@endpoint("PUT", "/teams/<int:team_id>/insatsplatser", body=SparaPlatser, svar=Platslage, fel=(403,))
@policy.regel("projektledare")
def spara_insatsplatser(team_id: int, body: dict):
    """Sätt teamets platser per insats och dagarna innan påminnelse (projektledaren)

    Fler platser erbjuds genast de första i kön; färre avslutar ingen insats."""
    rader = body["platser"]
    antal = {r["insatstyp_id"]: r["antal"] for r in rader}
    if len(antal) != len(rader):
        raise DomainError("ogiltigt_varde", "Varje insats får anges en gång.", field="platser")
    koer.spara_platser(api_user(), team_id, antal, body.get("paminnelse_dagar"))
    return _platslage(team_id)


@endpoint("POST", "/teams/<int:team_id>/insatser/<int:insats_id>/avboj", svar=Insats, fel=(403, 409))
@policy.regel("projektledare")
def avboj_plats(team_id: int, insats_id: int):
    """Tacka nej till en erbjuden plats (projektledaren); insatsen avslutas och platsen erbjuds nästa i kön"""
    return insats_services.avboj_plats(api_user(), team_id, insats_id)
