"""API: the förbund admin's set-up (issue 14) with an admin's token — parties, teams with
their parties and rules, members (invitation, team roles, deactivation, reassignment of a
departing handläggare's ärenden) and a samcoach's capacity.

Thin calls to ``samverkan.forbund.services``, the same as the admin's pages and the CLI:
the services validate everything before they change anything, and refuse a party, team,
member or role of another förbund as not found (404). Anyone but the förbund's admin is
refused (403) before the request is read. Writes need a token that may write. An
invitation's link goes by mail only, never in an answer.
"""

from __future__ import annotations

import csv

from flask import request

from samverkan.api import bp
from samverkan.api.auth import api_user
from samverkan.api.endpoint import endpoint
from samverkan.api.schema import (
    Heltal,
    Id,
    In,
    Klockslag,
    Lista,
    Objekt,
    Sant,
    Text,
    Ut,
    fields,
    val,
)
from samverkan.auth import policy
from samverkan.core.errors import DomainError, Valideringsfel
from samverkan.forbund import services
from samverkan.forbund.models import PartTyp, Team, TeamRoll, TeamTyp

PARTTYP = val((t.value for t in PartTyp), kod="ogiltig_typ")
TEAMTYP = val((t.value for t in TeamTyp), kod="ogiltig_typ")
ROLL = val((r.value for r in TeamRoll), kod="ogiltig_roll")
KALLELSEREGEL = val(("dagar", "fredag"), kod="ogiltig_regel")


@bp.before_request
def _bara_admin() -> None:
    """The admin's endpoints refuse anyone else (403) before the body is read, so a
    member's token learns nothing from the answer but that it may not administer. (The
    declaration's wrapper then checks the rule in full, the URL's object included.)"""
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint)
    if view is not None and policy.regel_for(view) == "admin":
        policy.require_admin(api_user())


# --- answers ----------------------------------------------------------------------------

class AdminPart(Ut):
    id = Id()
    typ = fields.String(validate=PARTTYP)
    namn = fields.String()
    kortnamn = fields.String(metadata={"description": "Kort namn, t.ex. IFO eller AMI; kan vara tomt."})


class AdminParter(Ut):
    parter = Lista(Objekt(AdminPart))


class AdminRoll(Ut):
    medlemskap_id = Id()
    team_id = Id()
    user_id = Id()
    namn = fields.String(metadata={"description": "Medlemmens namn."})
    roll = fields.String(validate=ROLL)
    ersatter_id = Id(allow_none=True, metadata={"description": "Ersättare: medlemskapet (ledamoten) som ersätts."})
    kapacitet = Heltal(minimum=0, allow_none=True, metadata={
        "description": "Samcoach: pågående ärenden coachen rymmer, räknat över alla team."})


class AdminTeam(Ut):
    id = Id()
    namn = fields.String()
    typ = fields.String(validate=TEAMTYP)
    parter = Lista(Objekt(AdminPart), metadata={"description": "Parterna som sitter i teamet."})
    motesveckodag = Heltal(minimum=0, maximum=6, metadata={"description": "0 = måndag … 6 = söndag."})
    motesordning = Heltal(minimum=-1, maximum=4, metadata={"description": "Veckodagens ordning i månaden; -1 = sista."})
    motestid = Klockslag()
    moteslangd_minuter = Heltal(minimum=1)
    motesplats = fields.String()
    motesplats_video = fields.String()
    uppehall_manader = Lista(Heltal(minimum=1, maximum=12))
    planeringsmanader = Lista(Heltal(minimum=1, maximum=12))
    agendakapacitet = Heltal(minimum=1)
    minuter_per_arende = Heltal(minimum=1, allow_none=True)
    kallelseregel = fields.String(validate=KALLELSEREGEL, metadata={
        "description": "dagar: kallelse_dagar_fore dagar före mötet kl. 09:00; fredag: fredagen veckan före."})
    kallelse_dagar_fore = Heltal(minimum=1, allow_none=True)
    anmalan_dagar_fore_kallelse = Heltal(minimum=0)
    paminnelse_dagar_fore_anmalan = Heltal(minimum=1)
    medlemmar = Lista(Objekt(AdminRoll))


class AdminTeams(Ut):
    teams = Lista(Objekt(AdminTeam))


class AdminAnvandare(Ut):
    id = Id()
    namn = fields.String()
    epost = fields.String()
    aktiv = fields.Boolean()
    part_id = Id(allow_none=True)
    roller = Lista(Objekt(AdminRoll))


class AdminAnvandarlista(Ut):
    anvandare = Lista(Objekt(AdminAnvandare))


class Overforda(Ut):
    overforda = Heltal(minimum=0, metadata={"description": "Hur många öppna ärenden som fick ny handläggare."})


# --- requests ---------------------------------------------------------------------------

class NyPart(In):
    typ = Text(required=True, validate=PARTTYP)
    namn = Text(required=True)
    kortnamn = Text()


class AndradPart(In):
    typ = Text(validate=PARTTYP)
    namn = Text()
    kortnamn = Text()


class _TeamFalt(In):
    typ = Text(validate=TEAMTYP)
    motesveckodag = Heltal(metadata={"description": "0 = måndag … 6 = söndag."})
    motesordning = Heltal(metadata={"description": "1–4, eller -1 = sista."})
    motestid = Klockslag()
    moteslangd_minuter = Heltal()
    motesplats = Text()
    motesplats_video = Text()
    uppehall_manader = Lista(Heltal())
    planeringsmanader = Lista(Heltal())
    agendakapacitet = Heltal()
    minuter_per_arende = Heltal(allow_none=True)
    kallelseregel = Text(validate=KALLELSEREGEL)
    kallelse_dagar_fore = Heltal(allow_none=True, metadata={"description": "Standard 7 (kl. 09:00)."})
    anmalan_dagar_fore_kallelse = Heltal()
    paminnelse_dagar_fore_anmalan = Heltal()


class NyttTeam(_TeamFalt):
    namn = Text(required=True)
    part_ids = Lista(Id(), required=True, metadata={"description": "Förbundets parter som sitter i teamet (minst en)."})


class AndratTeam(_TeamFalt):
    namn = Text()
    part_ids = Lista(Id())


class Inbjudan(In):
    namn = Text(required=True)
    epost = Text(required=True)
    part_id = Id(allow_none=True)


class NyRoll(In):
    user_id = Id(required=True)
    team_id = Id(required=True)
    roll = Text(required=True, validate=ROLL)
    ersatter_id = Id(allow_none=True, metadata={"description": "Ersättare: ledamotens medlemskap i teamet."})
    kapacitet = Heltal(allow_none=True, metadata={"description": "Samcoach: 0–100 pågående ärenden."})


class AndradAnvandare(In):
    part_id = Id(required=True, allow_none=True, metadata={"description": "Förbundets part; null = ingen part."})


class Import(In):
    csv = Text(required=True, metadata={
        "description": "CSV med rubrikraden namn;epost;part;team;roll;ersatter (komma går också)."})
    torrkorning = Sant(metadata={"description": "true: bara granska raderna, spara inget (standard false)."})


class Importrad(Ut):
    rad = Heltal(minimum=1, metadata={"description": "Radnumret i filen (rubrikraden är 1)."})
    epost = fields.String()
    fel = Lista(fields.String(), metadata={"description": "Radens fel på svenska; tom om raden är rätt."})


class Importsvar(Ut):
    ok = fields.Boolean(metadata={"description": "Inga fel i filen."})
    importerade = Heltal(minimum=0, metadata={"description": "Inbjudna personer (0 vid torrkörning)."})
    fel = Lista(fields.String(), metadata={"description": "Fel i filen som helhet."})
    rader = Lista(Objekt(Importrad))


class Overforing(In):
    till_id = Id(required=True, metadata={"description": "En aktiv kollega från samma part."})


class Kapacitet(In):
    kapacitet = Heltal(required=True, metadata={"description": "0–100 pågående ärenden, över alla team."})


# --- how rows are answered ----------------------------------------------------------------

def _manader(text: str) -> list[int]:
    return [int(m) for m in text.split(",") if m]


def _roll(m) -> dict:
    return {"medlemskap_id": m.id, "team_id": m.team_id, "user_id": m.user_id, "namn": m.user.namn,
            "roll": m.roll.value, "ersatter_id": m.ersatter_id, "kapacitet": m.kapacitet}


def _part(p) -> dict:
    return {"id": p.id, "typ": p.typ.value, "namn": p.namn, "kortnamn": p.kortnamn}


def _team(t: Team) -> dict:
    return {
        "id": t.id, "namn": t.namn, "typ": t.typ.value, "parter": [_part(p) for p in t.parter],
        "motesveckodag": t.motesveckodag, "motesordning": t.motesordning, "motestid": t.motestid,
        "moteslangd_minuter": t.moteslangd_minuter, "motesplats": t.motesplats,
        "motesplats_video": t.motesplats_video, "uppehall_manader": _manader(t.uppehall_manader),
        "planeringsmanader": _manader(t.planeringsmanader), "agendakapacitet": t.agendakapacitet,
        "minuter_per_arende": t.minuter_per_arende,
        "kallelseregel": "fredag" if t.kallelse_dagar_fore is None else "dagar",
        "kallelse_dagar_fore": t.kallelse_dagar_fore, "anmalan_dagar_fore_kallelse": t.anmalan_dagar_fore_kallelse,
        "paminnelse_dagar_fore_anmalan": t.paminnelse_dagar_fore_anmalan,
        "medlemmar": [_roll(m) for m in sorted(t.medlemskap, key=lambda m: m.id)],
    }


def _anvandare(u) -> dict:
    return {"id": u.id, "namn": u.namn, "epost": u.epost, "aktiv": u.aktiv, "part_id": u.part_id,
            "roller": [_roll(m) for m in sorted(u.medlemskap, key=lambda m: m.id)]}


def _regler(body: dict, team: Team | None) -> services.TeamRegler:
    """The body over the team's present rules (a change names only what changes), or over
    the defaults for a new team."""
    regler = services.TeamRegler() if team is None else services.TeamRegler(
        **{k: v for k, v in _team(team).items() if k not in ("id", "parter", "medlemmar")},
        part_ids=[p.id for p in team.parter])
    if "kallelse_dagar_fore" in body and body["kallelse_dagar_fore"] is not None and "kallelseregel" not in body:
        regler.kallelseregel = "dagar"
    for name, value in body.items():
        setattr(regler, name, value)
    return regler


# --- parties ----------------------------------------------------------------------------

@endpoint("GET", "/admin/parter", svar=AdminParter, fel=(403,))
@policy.regel("admin")
def admin_lista_parter():
    """Förbundets parter (administratören)"""
    return {"parter": [_part(p) for p in services.list_parter(api_user())]}


@endpoint("POST", "/admin/parter", body=NyPart, svar=(201, AdminPart), fel=(403,))
@policy.regel("admin")
def admin_skapa_part(body: dict):
    """Skapa en part (administratören)

    En kommuns enheter (t.ex. IFO och AMI) är var sin part av typen kommun."""
    return _part(services.spara_part(api_user(), typ=body["typ"], namn=body["namn"],
                                     kortnamn=body.get("kortnamn", "")))


@endpoint("PATCH", "/admin/parter/<int:part_id>", body=AndradPart, svar=AdminPart, fel=(403,))
@policy.regel("admin")
def admin_andra_part(part_id: int, body: dict):
    """Ändra en part (administratören); fält som inte skickas behålls"""
    user = api_user()
    part = services.get_part(user, part_id)
    varden = {"typ": part.typ, "namn": part.namn, "kortnamn": part.kortnamn, **body}
    return _part(services.spara_part(user, part_id=part_id, **varden))


# --- teams ------------------------------------------------------------------------------

@endpoint("GET", "/admin/teams", svar=AdminTeams, fel=(403,))
@policy.regel("admin")
def admin_lista_teams():
    """Förbundets team med parter, regler och roller (administratören)"""
    return {"teams": [_team(t) for t in services.list_teams(api_user())]}


@endpoint("POST", "/admin/teams", body=NyttTeam, svar=(201, AdminTeam), fel=(403,))
@policy.regel("admin")
def admin_skapa_team(body: dict):
    """Skapa ett team med dess parter och regler (administratören)

    Vilka av förbundets parter som helst (minst en). Kallelsen går som standard ut 7 dagar
    före mötet kl. 09:00."""
    return _team(services.spara_team(api_user(), _regler(body, None)))


@endpoint("PATCH", "/admin/teams/<int:team_id>", body=AndratTeam, svar=AdminTeam, fel=(403,))
@policy.regel("admin")
def admin_andra_team(team_id: int, body: dict):
    """Ändra ett teams namn, parter eller regler (administratören); fält som inte skickas behålls"""
    user = api_user()
    team = services.get_team(user, team_id)
    return _team(services.spara_team(user, _regler(body, team), team_id=team.id))


# --- members ----------------------------------------------------------------------------

@endpoint("GET", "/admin/anvandare", svar=AdminAnvandarlista, fel=(403,))
@policy.regel("admin")
def admin_lista_anvandare():
    """Förbundets användare med roller (administratören)"""
    return {"anvandare": [_anvandare(u) for u in services.list_anvandare(api_user())]}


@endpoint("POST", "/admin/anvandare", body=Inbjudan, svar=(201, AdminAnvandare), fel=(403,))
@policy.regel("admin")
def admin_bjud_in(body: dict):
    """Bjud in en medlem (administratören)

    Kontot skapas och en engångslänk för att välja lösenord går med e-post; länken står
    aldrig i svaret."""
    return _anvandare(services.bjud_in(api_user(), namn=body["namn"], epost=body["epost"],
                                       part_id=body.get("part_id")))


@endpoint("POST", "/admin/import", body=Import, svar=Importsvar, fel=(403,))
@policy.regel("admin")
def admin_importera(body: dict):
    """Importera medlemmar från CSV (administratören)

    Varje rad granskas först. Med torrkorning, eller med något fel, sparas inget: en
    torrkörning svarar med varje rads fel, en import med fel svarar 422 (ogiltiga_uppgifter,
    falt_fel per rad: ”rad_3” …, ”csv” för filen)."""
    try:
        resultat = services.importera(api_user(), body["csv"], torrkorning=body.get("torrkorning", False))
    except csv.Error:  # e.g. a field beyond the csv module's limit
        raise DomainError("ogiltig_fil", "Filen går inte att läsa som CSV.", field="csv") from None
    if not resultat.ok and not body.get("torrkorning", False):
        raise Valideringsfel({**({"csv": " ".join(resultat.fel)} if resultat.fel else {}),
                              **{f"rad_{r.nummer}": " ".join(r.fel) for r in resultat.rader if r.fel}})
    return {"ok": resultat.ok, "importerade": resultat.importerade, "fel": resultat.fel,
            "rader": [{"rad": r.nummer, "epost": r.epost, "fel": r.fel} for r in resultat.rader]}


@endpoint("PATCH", "/admin/anvandare/<int:anvandare_id>", body=AndradAnvandare, svar=AdminAnvandare, fel=(403,))
@policy.regel("admin")
def admin_andra_anvandare(anvandare_id: int, body: dict):
    """Byt en medlems part (administratören)"""
    return _anvandare(services.andra_part_for(api_user(), anvandare_id, body["part_id"]))


@endpoint("POST", "/admin/anvandare/<int:anvandare_id>/avaktivera", svar=AdminAnvandare, fel=(403, 422))
@policy.regel("admin")
def admin_avaktivera(anvandare_id: int):
    """Avsluta en användares konto (administratören)

    Inloggningar, sessioner, tokens och länkar upphör genast; namnet står kvar i historiken."""
    return _anvandare(services.avaktivera(api_user(), anvandare_id))


@endpoint("POST", "/admin/anvandare/<int:anvandare_id>/overfor", body=Overforing, svar=Overforda, fel=(403,))
@policy.regel("admin")
def admin_overfor_arenden(anvandare_id: int, body: dict):
    """Flytta en handläggares öppna ärenden till en kollega från samma part (administratören)

    Bara handläggaren byts; samtycket och därmed vilka parter som delar ärendet är oförändrat."""
    return {"overforda": services.overfor_arenden(api_user(), anvandare_id, body["till_id"])}


@endpoint("PUT", "/admin/anvandare/<int:anvandare_id>/kapacitet", body=Kapacitet, svar=(204, None), fel=(403,))
@policy.regel("admin")
def admin_samcoach_kapacitet(anvandare_id: int, body: dict):
    """Sätt en samcoachs kapacitet, räknad över alla team coachen arbetar i (administratören)"""
    services.satt_samcoach_kapacitet(api_user(), anvandare_id, body["kapacitet"])


@endpoint("POST", "/admin/medlemskap", body=NyRoll, svar=(201, AdminRoll), fel=(403, 404))
@policy.regel("admin")
def admin_ge_roll(body: dict):
    """Ge en medlem en roll i ett team (administratören)

    projektledare; ledamot för sin part (som ska sitta i teamet); ersättare för en namngiven
    ledamot från samma part (ersatter_id); samcoach (med kapacitet)."""
    m = services.satt_roll(api_user(), user_id=body["user_id"], team_id=body["team_id"], roll=body["roll"],
                           ersatter_id=body.get("ersatter_id"), kapacitet=body.get("kapacitet"))
    return _roll(m)


@endpoint("DELETE", "/admin/medlemskap/<int:medlemskap_id>", svar=(204, None), fel=(403, 422))
@policy.regel("admin")
def admin_ta_bort_roll(medlemskap_id: int):
    """Ta bort en roll i ett team (administratören)"""
    services.ta_bort_roll(api_user(), medlemskap_id)
