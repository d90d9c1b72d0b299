"""API: the efterkontroll months after avslut — the team's checks in the projektledare's
inbox and recording their outcome, the report table by outcome and kön, and the förbund
admin's number of months before the check. The same services as the pages.
"""

from __future__ import annotations

from samverkan.api.arenden import ArendeReferens
from samverkan.api.auth import api_user
from samverkan.api.endpoint import endpoint
from samverkan.api.rapporter import RapportHuvud, RapportUrval, Tabell, tabell_svar, urval
from samverkan.api.schema import Datum, Heltal, Id, In, Lista, Objekt, Text, Tidpunkt, Ut, fields, val
from samverkan.arenden import kodlistor
from samverkan.auth import policy
from samverkan.efterkontroll import rapport, services
from samverkan.rapporter import services as rapporter_services
from samverkan.rapporter.queries import Urval

UTFALL = val(kodlistor.EFTERKONTROLL_UTFALL, kod="ogiltigt_utfall")


class Efterkontrollrad(Ut):
    arende_id = Id(attribute="kontroll.arende_id")
    referens = fields.String()
    team_id = Id(attribute="kontroll.team_id")
    avslutad_den = Datum(allow_none=True)
    forfaller = Datum(attribute="kontroll.forfaller")
    i_inkorg = Tidpunkt(attribute="kontroll.i_inkorg")
    utfall = fields.String(attribute="kontroll.utfall", allow_none=True, validate=UTFALL)
    kontrollerad_den = Datum(attribute="kontroll.kontrollerad_den", allow_none=True)


class Efterkontroller(Ut):
    att_gora = Lista(Objekt(Efterkontrollrad), metadata={"description": "I inkorgen, äldst först."})
    gjorda = Lista(Objekt(Efterkontrollrad), metadata={"description": "Registrerade, senaste först."})


class EfterkontrollUtfall(In):
    utfall = Text(required=True, validate=UTFALL, metadata={"enum": list(kodlistor.EFTERKONTROLL_UTFALL)})


class RegistreradEfterkontroll(Ut):
    arende = Objekt(ArendeReferens)
    utfall = fields.String(validate=UTFALL)
    kontrollerad_den = Datum()


class Efterkontrollrapport(RapportHuvud):
    tabell = Objekt(Tabell)


class AdminForbund(Ut):
    id = Id()
    namn = fields.String()
    kod = fields.String()
    efterkontroll_manader = Heltal(minimum=services.MIN_MANADER, maximum=services.MAX_MANADER, metadata={
        "description": "Månader från avslut till efterkontroll."})
    gallringsfrist_manader = Heltal(allow_none=True, metadata={
        "description": "Månader från avslut till gallring; null = ingen gallring."})


class AndratForbund(In):
    efterkontroll_manader = Heltal(required=True, minimum=services.MIN_MANADER, maximum=services.MAX_MANADER)


@endpoint("GET", "/teams/<int:team_id>/efterkontroller", svar=Efterkontroller, fel=(403,))
@policy.regel("projektledare")
def lista(team_id: int):
    """Teamets efterkontroller efter avslut (projektledaren; referensnivå)"""
    user = api_user()
    return {"att_gora": services.inkorg(user, team_id), "gjorda": services.inkorg(user, team_id, gjorda=True)}


@endpoint("PUT", "/teams/<int:team_id>/efterkontroller/<int:arende_id>", body=EfterkontrollUtfall,
          svar=RegistreradEfterkontroll, fel=(403, 409))
@policy.regel("projektledare")
def registrera(team_id: int, arende_id: int, body: dict):
    """Registrera var personen står vid efterkontrollen (projektledaren)

    409 när ärendets efterkontroll inte har kommit till inkorgen ännu."""
    kontroll = services.registrera(api_user(), team_id, arende_id, body["utfall"])
    return {"arende": kontroll.arende, "utfall": kontroll.utfall, "kontrollerad_den": kontroll.kontrollerad_den}


@endpoint("GET", "/rapporter/efterkontroll", fraga=RapportUrval, svar=Efterkontrollrapport, fel=(403, 404))
@policy.regel("rapport")
def efterkontrollrapport(fraga: dict):
    """Efterkontrollens utfall per kön för kontroller som infaller i perioden (små tal dolda utom
    för teamets projektledare)"""
    b, period, huvud = urval(fraga)
    t = rapporter_services.period_rapport(
        Urval(b.forbund_id, b.team.id if b.team else None, period.fran, period.till), exakt=b.exakt,
        omfattning=b.omfattning, period=period).tabell(rapport.NYCKEL)  # the period report's own table
    return {**huvud, "tabell": tabell_svar(t)}


@endpoint("GET", "/admin/forbund", svar=AdminForbund, fel=(403,))
@policy.regel("admin")
def visa_forbund():
    """Förbundets inställningar (administratören)"""
    return services.forbund(api_user())


@endpoint("PATCH", "/admin/forbund", body=AndratForbund, svar=AdminForbund, fel=(403,))
@policy.regel("admin")
def andra_forbund(body: dict):
    """Ändra antalet månader från avslut till efterkontroll (administratören)

    Efterkontroller som ännu inte har kommit till inkorgen flyttas med."""
    return services.satt_manader(api_user(), body["efterkontroll_manader"])
