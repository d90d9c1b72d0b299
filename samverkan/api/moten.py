"""API: a team's meetings, one meeting with its agenda (reference codes only), adding
and removing agenda items, editing or moving a meeting and cancelling it.

Thin like the pages: read the request, call one service in ``samverkan.moten``
(``redigering``, ``dagordning``, …; the same as the UI's), answer JSON. Times:
``starttid`` and other instants in UTC; ``datum`` and ``klockslag`` are the meeting's
local date and time in Europe/Stockholm, which is also how a move is given.
"""

from __future__ import annotations

from flask import url_for

from samverkan.api.arenden import ArendeReferens
from samverkan.api.auth import api_user
from samverkan.api.endpoint import endpoint
from samverkan.api.schema import (
    Datum,
    Fraga,
    Heltal,
    Id,
    In,
    Klockslag,
    Lista,
    Objekt,
    Text,
    Tidpunkt,
    Ut,
    fields,
    langd,
    monster,
    val,
)
from samverkan.auth import policy
from samverkan.core import clock
from samverkan.moten import dagordning, hamta, models, redigering, teamkalender, tider
from samverkan.moten.models import MotesTyp, PunktStatus

MOTESTYP = val((t.value for t in MotesTyp), kod="ogiltig_typ")


class Mote(Ut):
    id = Id()
    team_id = Id()
    starttid = Tidpunkt()
    datum = Datum(metadata={"description": "Mötesdagen i svensk tid."})
    klockslag = Klockslag()
    langd_minuter = Heltal(minimum=1)
    plats = fields.String()
    videolank = fields.String(metadata={"description": "Webbadress, eller tom."})
    typ = fields.String(validate=MOTESTYP)
    installt = Tidpunkt(allow_none=True)
    kapacitet = Heltal(minimum=1, metadata={
        "description": "Hur många ärenden dagordningen rymmer (mötets eller teamets)."})
    egen_kapacitet = Heltal(allow_none=True, metadata={"description": "Mötets egen; null = teamets standard."})
    antal_punkter = Heltal(minimum=0)
    antal_anmalda = Heltal(minimum=0)
    anmalan_stanger = Tidpunkt(allow_none=True)
    kallelse_planerad = Tidpunkt(allow_none=True)
    kallelse_skickad = Tidpunkt(allow_none=True)
    sekvens = Heltal(metadata={"description": "iCalendar SEQUENCE; ökar vid ändrad tid, plats eller status."})
    agendaversion = Heltal(metadata={"description": "Ökar vid varje ändring av dagordningen."})


class Dagordningspunkt(Ut):
    """Ett ärende på dagordningen (bokad) eller anmält av handläggare (anmald). Bara referenskod
    och aktualiserande part, inga personuppgifter."""

    id = Id()
    status = fields.String(validate=val(s.value for s in PunktStatus))
    arende = Objekt(ArendeReferens)
    uppfoljning = fields.Boolean(metadata={"description": "true = uppföljning, false = nytt ärende."})
    ordning = Heltal(minimum=1, allow_none=True)
    tidslucka = Klockslag(allow_none=True)
    langd_minuter = Heltal(minimum=1, allow_none=True)
    individen_medverkar = fields.Boolean()
    utfall = fields.String(allow_none=True, metadata={
        "description": "Efter mötet: samplanerad, foljd_upp, bordlagd (hanns inte), avslutad, aterkallad "
                       "eller felregistrerad."})
    overford = fields.Boolean(metadata={"description": "Överförd: hanns inte på förra mötet."})


class MoteMedDagordning(Mote):
    dagordning = Lista(Objekt(Dagordningspunkt), metadata={"description": "Bokade punkter i ordning."})
    anmalningar = Lista(Objekt(Dagordningspunkt), metadata={"description": "Handläggares anmälningar, "
                                                                             "ännu inte bokade."})


class Moten(Ut):
    moten = Lista(Objekt(Mote))


class MotesUrval(Fraga):
    fran = Datum(metadata={"description": "Bara möten från och med detta datum."})


class MotesAndring(In):
    """Bara fälten som skickas ändras. Ny tid räknar om kallelsens tidpunkt."""

    datum = Datum(allow_none=True, metadata={"description": "Ny mötesdag (svensk tid)."})
    klockslag = Klockslag(allow_none=True)
    langd_minuter = Heltal(minimum=tider.MIN_LANGD, maximum=tider.MAX_LANGD, allow_none=True)
    plats = Text(allow_none=True, validate=langd(maximum=300, kod="for_lang"))
    videolank = Text(allow_none=True, validate=[langd(maximum=500, kod="for_lang"),
                                                monster(r"^(|[hH][tT][tT][pP][sS]?://[^\s\u0000]+)$", kod="ogiltig_lank")],
                     metadata={"description": "https://…, eller tom."})
    typ = Text(allow_none=True, validate=MOTESTYP)
    kapacitet = Heltal(minimum=1, maximum=redigering.MAX_KAPACITET, allow_none=True,
                       metadata={"description": "null = teamets standard."})


class NyDagordningspunkt(In):
    arende_id = Id(required=True)


def mote_dict(mote: models.Mote, antal_punkter: int, antal_anmalda: int) -> dict:
    lokal = clock.local(mote.starttid)
    return {
        **{f: getattr(mote, f) for f in ("id", "team_id", "starttid", "langd_minuter", "plats", "videolank",
                                         "installt", "anmalan_stanger", "kallelse_planerad", "kallelse_skickad",
                                         "sekvens", "agendaversion")},
        "datum": lokal.date(), "klockslag": lokal.strftime("%H:%M"), "typ": mote.typ.value,
        "kapacitet": tider.kapacitet(mote), "egen_kapacitet": mote.kapacitet,
        "antal_punkter": antal_punkter, "antal_anmalda": antal_anmalda,
    }


def punkt_dict(punkt: models.Dagordningspunkt, mote: models.Mote) -> dict:
    bokad = punkt.status == PunktStatus.BOKAD
    return {
        "id": punkt.id, "status": punkt.status.value, "arende": punkt.arende, "uppfoljning": punkt.uppfoljning,
        "ordning": punkt.ordning if bokad else None,
        "tidslucka": punkt.tidslucka if bokad else None,
        "langd_minuter": tider.punktlangd(mote, punkt) if bokad else None,
        "individen_medverkar": punkt.individen_medverkar, "utfall": punkt.utfall,
        "overford": punkt.overford_fran_id is not None,
    }


def _med_dagordning(mote: models.Mote, punkter: list[models.Dagordningspunkt]) -> dict:
    bokade = [p for p in punkter if p.status == PunktStatus.BOKAD]
    anmalda = [p for p in punkter if p.status == PunktStatus.ANMALD]
    return {**mote_dict(mote, len(bokade), len(anmalda)),
            "dagordning": [punkt_dict(p, mote) for p in bokade],
            "anmalningar": [punkt_dict(p, mote) for p in anmalda]}


@endpoint("GET", "/teams/<int:team_id>/moten", fraga=MotesUrval, svar=Moten)
@policy.regel("team_medlem")
def lista_moten(team_id: int, fraga: dict):
    """Ett teams möten i datumordning"""
    rader = teamkalender.list_moten(api_user(), team_id, fran=fraga.get("fran"))
    return {"moten": [mote_dict(r.mote, r.antal_punkter, r.antal_anmalda) for r in rader]}


@endpoint("GET", "/moten/<int:mote_id>", svar=MoteMedDagordning)
@policy.regel("team_medlem")
def visa_mote(mote_id: int):
    """Ett möte med dagordning och anmälningar (referenskoder)"""
    return _med_dagordning(*hamta.mote_med_punkter(api_user(), mote_id))


@endpoint("PATCH", "/moten/<int:mote_id>", body=MotesAndring, svar=MoteMedDagordning, fel=(403,))
@policy.regel("projektledare")
def andra_mote(mote_id: int, body: dict):
    """Ändra eller flytta ett möte (projektledaren)"""
    andringar = {}
    if "kapacitet" in body:  # null: back to the team's default
        andringar["kapacitet_"] = body.pop("kapacitet")
    redigering.andra_mote(api_user(), mote_id, **{k: v for k, v in body.items() if v is not None}, **andringar)
    return _med_dagordning(*hamta.mote_med_punkter(api_user(), mote_id))


@endpoint("POST", "/moten/<int:mote_id>/installning", svar=MoteMedDagordning, fel=(403, 409, 422))
@policy.regel("projektledare")
def installa_mote(mote_id: int):
    """Ställ in ett möte (projektledaren); ärendena på dagordningen går tillbaka till inkorgen"""
    redigering.installa_mote(api_user(), mote_id)
    return _med_dagordning(*hamta.mote_med_punkter(api_user(), mote_id))


@endpoint("POST", "/moten/<int:mote_id>/dagordning", body=NyDagordningspunkt, svar=(201, Dagordningspunkt),
          fel=(403, 409), headers=["Location"])
@policy.regel("projektledare")
def lagg_till_punkt(mote_id: int, body: dict):
    """Lägg ett ärende på dagordningen (projektledaren)

    Ärendet går till på agenda. Vägras om dagordningen är full (kod dagordningen_full) eller om
    samtycket inte täcker mötesdagen (kod villkor_ej_uppfyllt)."""
    punkt = dagordning.lagg_till(api_user(), mote_id, body["arende_id"])
    return punkt_dict(punkt, punkt.mote), {"Location": url_for("api.visa_mote", mote_id=mote_id)}


@endpoint("DELETE", "/moten/<int:mote_id>/dagordning/<int:punkt_id>", svar=(204, None), fel=(403, 409, 422))
@policy.regel("projektledare")
def ta_bort_punkt(mote_id: int, punkt_id: int):
    """Ta bort en punkt före mötet (projektledaren); ärendet går tillbaka till inkorgen"""
    dagordning.ta_bort(api_user(), mote_id, punkt_id)
