"""API: ärenden — the list, creating a draft, one case's details, its history and its
state changes. Access and every rule are the services' (and so the policy's) business.
"""

from __future__ import annotations

from flask import url_for

from samverkan.api.auth import api_user
from samverkan.api.endpoint import endpoint
from samverkan.api.schema import (
    Datum,
    Fraga,
    Heltal,
    Id,
    In,
    Lista,
    Objekt,
    Parameter,
    Text,
    Tidpunkt,
    Ut,
    fields,
    langd,
    monster,
    val,
)
from samverkan.api.teams import Part, Person
from samverkan.arenden import kodlistor, services
from samverkan.auth import policy
from samverkan.deltagare.models import Kon, SamtyckeSatt
from workflows import arende as wf

# The API's own page size, part of its contract: not the UI's PAGE_SIZE setting.
PER_SIDA = 25
MAX_PER_SIDA = 100
# Trigger context passed through to the flow only when present: the user's decisions.
# Facts (the meeting's date, a free place) are not accepted: the flow looks them up.
KONTEXT = ("avslutsorsak", "forsorjning_slut", "sysselsattning_slut", "till")

STATUS = val(wf.STATES, kod="okand_status")
TRIGGER = val(wf.TRIGGER_LABELS, kod="otillaten_overgang")


def kod(lista: dict):
    return val(lista, kod="ogiltigt_val")


# --- answers -------------------------------------------------------------------------------

class ArendeReferens(Ut):
    """Referensnivå: inga personuppgifter."""

    id = Id()
    referens = fields.String(metadata={"examples": ["TST-2026-001"]})
    team_id = Id()
    status = fields.String(validate=STATUS)
    aktualiserad_den = Datum(allow_none=True)
    aktualiserande_part = Objekt(Part)


class ArendeSida(Ut):
    arenden = Lista(Objekt(ArendeReferens))
    sida = Heltal(minimum=1)
    per_sida = Heltal(minimum=1, maximum=MAX_PER_SIDA)
    totalt = Heltal(minimum=0)
    sidor = Heltal(minimum=1)


class Samtycke(Ut):
    givet_den = Datum()
    giltigt_till = Datum()
    satt = fields.Enum(SamtyckeSatt, by_value=fields.String)
    part_ids = fields.Function(lambda s: [p.id for p in s.parter], metadata={"type": "array",
                                                                             "items": {"type": "integer"}})
    dokumentreferens = fields.String()
    aterkallat = Tidpunkt(allow_none=True)


class RegistreratSamtycke(Samtycke):
    """Ett samtycke i ärendets historik: det senaste gäller, de tidigare står kvar."""

    id = Id()
    registrerad = Tidpunkt(attribute="skapad")
    registrerad_av_id = Heltal(allow_none=True, metadata={"description": "Vem som registrerade det."})


class Samtycken(Ut):
    samtycken = Lista(Objekt(RegistreratSamtycke), metadata={"description": "Nyaste först; det första gäller."})


class DeltagareDetaljer(Ut):
    id = Id()
    personnummer = fields.String(allow_none=True, metadata={"description": "12 siffror, eller null vid anonym kod."})
    anonym_kod = fields.String(allow_none=True)
    samordningsnummer = fields.Boolean()
    kon = fields.Enum(Kon, by_value=fields.String)
    fodelsear = Heltal()


class ArendeDetaljer(ArendeReferens):
    version = Heltal(metadata={"description": "Skicka med vid nästa händelse."})
    handlaggare = Objekt(Person)
    fragestallning = fields.String(metadata={"description": "Sanerad HTML."})
    deltagare = Objekt(DeltagareDetaljer, attribute="deltagaruppgifter")  # as entered on the ärende
    forsorjning_start = fields.String(allow_none=True, validate=kod(kodlistor.FORSORJNING))
    sysselsattning_start = fields.String(allow_none=True, validate=kod(kodlistor.SYSSELSATTNING))
    utbildningsniva = fields.String(allow_none=True, validate=kod(kodlistor.UTBILDNINGSNIVA))
    tid_i_offentligt_stod = fields.String(allow_none=True, validate=kod(kodlistor.TID_I_OFFENTLIGT_STOD))
    forsorjning_slut = fields.String(allow_none=True, validate=kod(kodlistor.FORSORJNING))
    sysselsattning_slut = fields.String(allow_none=True, validate=kod(kodlistor.SYSSELSATTNING))
    avslutsorsak = fields.String(allow_none=True, validate=kod(kodlistor.AVSLUTSORSAK))
    forsta_samplanering = Datum(allow_none=True)
    avslutad_den = Datum(allow_none=True)
    samtycke = Objekt(Samtycke, allow_none=True)
    tillatna_handelser = fields.Function(
        lambda a: services.allowed_triggers(api_user(), a),
        metadata={"type": "array", "items": {"type": "string", "enum": list(wf.TRIGGER_LABELS)},
                  "description": "Det du får göra nu."})


class Handelse(Ut):
    id = Id()
    trigger = fields.String(validate=TRIGGER)
    fran_status = fields.String(validate=STATUS)
    till_status = fields.String(validate=STATUS)
    galler_datum = Datum()
    registrerad = Tidpunkt()
    kommentar = fields.String()
    ar_korrigering = fields.Boolean()
    aktor = Objekt(Person)


class Handelser(Ut):
    handelser = Lista(Objekt(Handelse), metadata={"description": "Äldst först."})


class HandelseResultat(Ut):
    status = fields.String(validate=STATUS)
    version = Heltal()
    handelse = Objekt(Handelse)


# --- requests ------------------------------------------------------------------------------

class ArendeUrval(Fraga):
    sida = Parameter(minimum=1, load_default=1)
    per_sida = Parameter(minimum=1, maximum=MAX_PER_SIDA, load_default=PER_SIDA)
    status = Text(validate=STATUS)


class NyttSamtycke(In):
    givet_den = Datum(required=True)
    giltigt_till = Datum(required=True)
    satt = Text(required=True, validate=val((s.value for s in SamtyckeSatt), kod="ogiltigt_satt"))
    part_ids = Lista(Id(), required=True, validate=langd(minimum=1, kod="ogiltiga_parter"))
    dokumentreferens = Text(allow_none=True, validate=langd(maximum=200))


class FornyatSamtycke(NyttSamtycke):
    """Ett förnyat eller ändrat samtycke på ett öppet ärende: nytt dokument, parter och
    giltighet. Samtycket ska omfatta den aktualiserande parten och minst en part till (eller
    alla teamets parter, om teamet har valt den regeln), gälla i dag eller längre och ha en
    dokumentreferens. Vid 422 anger fel.falt fältet (parter avser part_ids)."""

    dokumentreferens = Text(required=True, validate=langd(maximum=200))


class NyttArende(In):
    """Ange antingen personnummer eller anonym_kod med fodelsear. Allt eller inget: vägras något
    sparas ingenting."""

    team_id = Id(required=True)
    fragestallning = Text(required=True, metadata={
        "description": "HTML; allt utom p, br, strong, em, ul, ol, li och a tas bort."})
    kon = Text(required=True, validate=val((k.value for k in Kon), kod="ogiltigt_kon"))
    personnummer = Text(allow_none=True)
    anonym_kod = Text(allow_none=True, validate=monster(r"^[A-Za-z0-9-]{3,40}$", kod="ogiltig_kod"))
    fodelsear = Heltal(allow_none=True)
    forsorjning_start = Text(allow_none=True, validate=kod(kodlistor.FORSORJNING))
    sysselsattning_start = Text(allow_none=True, validate=kod(kodlistor.SYSSELSATTNING))
    utbildningsniva = Text(allow_none=True, validate=kod(kodlistor.UTBILDNINGSNIVA))
    tid_i_offentligt_stod = Text(allow_none=True, validate=kod(kodlistor.TID_I_OFFENTLIGT_STOD))
    samtycke = Objekt(NyttSamtycke, allow_none=True)


class NyOverlamning(In):
    """Överlämningen vid avslut: nästa steg. Allt eller inget."""

    vem = Text(required=True, validate=langd(maximum=200, kod="for_lang"), metadata={
        "description": "Vem eller vilken aktör som tar över. Inga känsliga uppgifter."})
    part_id = Id(allow_none=True, metadata={"description": "Om det är en av förbundets parter."})
    hur = Text(required=True, validate=langd(maximum=500, kod="for_lang"))
    nar = Datum(required=True)


class NyHandelse(In):
    trigger = Text(required=True, validate=TRIGGER)
    version = Heltal(required=True, metadata={"description": "Ärendets version när du läste det."})
    datum = Datum(allow_none=True, metadata={"description": "Dagen det hände (standard: i dag)."})
    kommentar = Text(allow_none=True, metadata={"description": "Orsak vid korrigera."})
    avslutsorsak = Text(allow_none=True, validate=kod(kodlistor.AVSLUTSORSAK))
    forsorjning_slut = Text(allow_none=True, validate=kod(kodlistor.FORSORJNING))
    sysselsattning_slut = Text(allow_none=True, validate=kod(kodlistor.SYSSELSATTNING))
    till = Text(allow_none=True, validate=STATUS, metadata={"description": "Målstatus vid korrigera."})
    overlamning = Objekt(NyOverlamning, allow_none=True, metadata={
        "description": "Vid avsluta: överlämningen (nästa steg). Inte efter återkallat samtycke."})


# --- endpoints -----------------------------------------------------------------------------

@endpoint("GET", "/arenden", fraga=ArendeUrval, svar=ArendeSida)
@policy.regel("inloggad")
def lista_arenden(fraga: dict):
    """Ärenden du får känna till, nyaste först (referensnivå)"""
    sida = services.list_arenden(api_user(), status=fraga.get("status"), sida=fraga["sida"],
                                 per_sida=fraga["per_sida"])
    return {"arenden": sida.rader, "sida": sida.sida, "per_sida": sida.per_sida, "totalt": sida.totalt,
            "sidor": sida.sidor}


@endpoint("POST", "/arenden", body=NyttArende, svar=(201, ArendeDetaljer), fel=(403, 404), headers=["Location"])
@policy.regel("handlaggare")
def skapa_arende(body: dict):
    """Skapa ett utkast, eventuellt med samtycke"""
    samtycke = body.pop("samtycke", None)
    if samtycke is not None:
        samtycke["dokumentreferens"] = samtycke.get("dokumentreferens") or ""
    arende = services.create_utkast(api_user(), samtycke=samtycke, **body)
    return arende, {"Location": url_for("api.visa_arende", arende_id=arende.id)}


@endpoint("GET", "/arenden/<int:arende_id>", svar=ArendeDetaljer, fel=(403,))
@policy.regel("arende_detaljer")
def visa_arende(arende_id: int):
    """Ett ärendes uppgifter (läsningen loggas)

    404 till den som inte får känna till ärendet, 403 till den som bara ser referensnivå."""
    return services.get_arende(api_user(), arende_id)


@endpoint("GET", "/arenden/<int:arende_id>/handelser", svar=Handelser, fel=(403,))
@policy.regel("arende_detaljer")
def lista_handelser(arende_id: int):
    """Ärendets historik"""
    return {"handelser": services.history(services.get_arende(api_user(), arende_id))}


@endpoint("POST", "/arenden/<int:arende_id>/handelser", body=NyHandelse, svar=(201, HandelseResultat),
          fel=(403, 409))
@policy.regel("arende_handling")
def ny_handelse(arende_id: int, body: dict):
    """Ändra ärendets status (en övergång)"""
    kontext = {name: body[name] for name in KONTEXT if body.get(name) is not None}
    kontext.update({f"overlamning_{k}": v for k, v in (body.get("overlamning") or {}).items()})
    handelse = services.fire(api_user(), arende_id, body["trigger"], version=body["version"],
                             datum=body.get("datum"), kommentar=body.get("kommentar") or "", **kontext)
    return {"status": handelse.arende.status, "version": handelse.arende.version, "handelse": handelse}


@endpoint("GET", "/arenden/<int:arende_id>/samtycken", svar=Samtycken, fel=(403,))
@policy.regel("arende_detaljer")
def lista_samtycken(arende_id: int):
    """Ärendets samtycken, nyaste först (läsningen loggas)"""
    return {"samtycken": services.samtycken(services.get_arende(api_user(), arende_id))}


@endpoint("POST", "/arenden/<int:arende_id>/samtycken", body=FornyatSamtycke, svar=(201, RegistreratSamtycke),
          fel=(403,), headers=["Location"])
@policy.regel("arende_detaljer")
def fornya_samtycke(arende_id: int, body: dict):
    """Registrera ett förnyat eller ändrat samtycke på ett öppet ärende

    Av handläggaren som aktualiserade ärendet eller av projektledaren, som på ärendesidan.
    Vägras efter återkallelse (kod samtycke_aterkallat) och på ett ärende som inte är öppet."""
    samtycke = services.fornya_samtycke(
        api_user(), arende_id, givet_den=body["givet_den"], giltigt_till=body["giltigt_till"], satt=body["satt"],
        part_ids=body["part_ids"], dokumentreferens=body["dokumentreferens"])
    return samtycke, {"Location": url_for("api.lista_samtycken", arende_id=arende_id)}
