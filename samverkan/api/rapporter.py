"""API: the period report's tables and the nyckeltal, aggregates only (samverkan.rapporter).

The same ``Rapport`` as the pages: small numbers are "<3" (and the cells that would reveal
them "–") for the styrgrupp and the admin,
exact only for a team's own projektledare. No individual-level data is served here.
"""

from __future__ import annotations

from samverkan.api.auth import api_user
from samverkan.api.endpoint import endpoint
from samverkan.api.schema import Datum, Fraga, Heltal, Id, Lista, Objekt, Text, Ut, fields, monster, val
from samverkan.auth import policy
from samverkan.rapporter import services
from samverkan.rapporter.queries import Urval

VARDE = {"oneOf": [{"type": "number"}, {"type": "string", "enum": ["<3", "–"]}, {"type": "null"}],
         "description": "Ett tal, eller \"<3\" när 1–2 personer döljs, eller \"–\" för en cell som döljs för att "
                        "den annars skulle avslöja ett dolt litet tal (eller en andel/ett medeltal på färre än tre), "
                        "för den som inte är teamets projektledare."}


def _varde(**kwargs):
    return fields.Raw(allow_none=True, metadata={**VARDE, **kwargs})


class RapportUrval(Fraga):
    team_id = Id(strict=False, metadata={"description": "Ett team; utan = hela förbundet (styrgrupp, administratör) eller "
                                          "projektledarens eget team."})
    period = Text(validate=monster(r"^([1-9][0-9]{3}(-K[1-4])?|egen)$", kod="ogiltig_period"), metadata={
        "examples": ["2026-K1", "2026"],
        "description": "Ett år (2026), ett kvartal (2026-K1) eller egen (med fran och till). Standard: "
                       "innevarande år."})
    fran = Datum(metadata={"description": "Första dagen, med period=egen."})
    till = Datum(metadata={"description": "Sista dagen, med period=egen."})


class Period(Ut):
    kod = fields.String()
    namn = fields.String()
    fran = Datum()
    till = Datum()


class RapportHuvud(Ut):
    omfattning = fields.String()
    team_id = Heltal(allow_none=True)
    exakt = fields.Boolean(metadata={"description": "true = exakta tal (teamets projektledare)."})
    period = Objekt(Period)


class Rad(Ut):
    etikett = fields.String()
    total = fields.Boolean()
    varden = Lista(_varde())
    markeringar = Lista(fields.String(allow_none=True, validate=val(["<3", "–", ".."])), metadata={
        "description": "Varje cells markering: \"<3\" (1–2 personer dolda), \"–\" (dold för att skydda en annan "
                       "cell, eller en andel/ett medeltal på färre än tre), \"..\" (inget värde), annars null."})


class Tabell(Ut):
    nyckel = fields.String(metadata={"examples": ["kon", "insatstyp", "utfall"]})
    rubrik = fields.String()
    radrubrik = fields.String()
    kolumner = Lista(fields.String())
    rader = Lista(Objekt(Rad))


class Periodrapport(RapportHuvud):
    tabeller = Lista(Objekt(Tabell))


class Trend(Ut):
    period = fields.String()
    varde = _varde()


class Nyckeltalsvarde(Ut):
    nyckel = fields.String()
    namn = fields.String()
    typ = fields.String(validate=val(["antal", "tal", "andel"]))
    varde = _varde()
    mal = fields.Raw(metadata={"type": "number", "description": "Målet för perioden (årsmål omräknade till den del "
                                                                "av perioden som har gått)."})
    installt_mal = fields.Raw(metadata={"type": "number", "description": "Målet som det är satt (per år för årsmål)."})
    andel_av_mal = _varde(description="Värdet i procent av periodens mål; null utan värde eller mål.")
    uppnatt = fields.Boolean(allow_none=True)
    trend = Lista(Objekt(Trend))


class Nyckeltal(RapportHuvud):
    nyckeltal = Lista(Objekt(Nyckeltalsvarde))


def urval(fraga: dict):
    b = services.behorighet_for_val(api_user(), str(fraga.get("team_id") or ""), falt="team_id")
    period = services.tolka_period(fraga.get("period"), _iso(fraga.get("fran")), _iso(fraga.get("till")),
                                   exakt=b.exakt)
    huvud = {"omfattning": b.omfattning, "team_id": b.team.id if b.team else None, "exakt": b.exakt,
             "period": period}
    return b, period, huvud


def _iso(datum) -> str | None:
    return datum.isoformat() if datum is not None else None


@endpoint("GET", "/rapporter/period", fraga=RapportUrval, svar=Periodrapport, fel=(403, 404))
@policy.regel("rapport")
def periodrapport(fraga: dict):
    """Periodrapportens tabeller (endast aggregat; små tal dolda utom för teamets projektledare)"""
    b, period, huvud = urval(fraga)
    rapport = services.period_rapport(Urval(b.forbund_id, b.team.id if b.team else None, period.fran, period.till),
                                      exakt=b.exakt, omfattning=b.omfattning, period=period)
    return {**huvud, "tabeller": [tabell_svar(t) for t in rapport.tabeller]}


def tabell_svar(t) -> dict:
    """One report table as the ``Tabell`` schema dumps it (shown values and their marks)."""
    return {"nyckel": t.nyckel, "rubrik": t.rubrik, "radrubrik": t.radrubrik, "kolumner": t.kolumner,
            "rader": [{"etikett": r.etikett, "total": r.total, "varden": [c.export_varde for c in r.celler],
                       "markeringar": [c.markering or None for c in r.celler]}
                      for r in t.rader]}


@endpoint("GET", "/rapporter/nyckeltal", fraga=RapportUrval, svar=Nyckeltal, fel=(403, 404))
@policy.regel("rapport")
def nyckeltal(fraga: dict):
    """Nyckeltal med mål och utveckling de senaste fyra kvartalen"""
    b, period, huvud = urval(fraga)
    return {**huvud, "nyckeltal": [
        {"nyckel": v.definition.nyckel, "namn": v.namn, "typ": v.definition.typ, "varde": v.cell.export_varde,
         "mal": v.mal, "installt_mal": v.installt_mal, "andel_av_mal": v.andel_av_mal.export_varde,
         "uppnatt": v.uppnatt,
         "trend": [{"period": namn, "varde": c.export_varde} for namn, c in v.trend]}
        for v in services.nyckeltal(b, period)]}
