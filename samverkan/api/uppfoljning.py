"""API: an ärende's measurements and återaktualisering, a meeting's protokoll (read,
justera, addenda) and overdue handlingsplan actions. The same services as the pages.
(Avslut is a transition: POST /arenden/{id}/handelser with trigger "avsluta" and the end data.)
"""

from __future__ import annotations

from flask import url_for

from samverkan.aktualisering import services as aktualisering
from samverkan.api.arenden import ArendeReferens
from samverkan.api.auth import api_user
from samverkan.api.endpoint import endpoint
from samverkan.api.schema import Datum, Heltal, Id, In, Lista, Objekt, Text, Tidpunkt, Ut, fields
from samverkan.arenden import services as arende_services
from samverkan.auth import policy
from samverkan.protokoll import services as protokoll
from samverkan.samplanering import forsenade as atgarder
from samverkan.uppfoljning import forlopp as uppfoljning


class Steg(Ut):
    id = Id()
    nummer = Heltal()
    namn = fields.String()


class Matning(Ut):
    id = Id()
    datum = Datum()
    steg = Objekt(Steg)
    sysselsattningsgrad = Heltal(minimum=0, maximum=100)
    ors = Heltal(minimum=0, maximum=40, allow_none=True)
    punkt_id = Id(allow_none=True)


class Matningar(Ut):
    matningar = Lista(Objekt(Matning), metadata={"description": "Äldst först."})


class Ateraktualiserat(ArendeReferens):
    foregaende_arende_id = Id()


class Protokolltillagg(Ut):
    id = Id()
    text = fields.String()
    skapad = Tidpunkt()
    skapad_av_id = Id()


class Protokoll(Ut):
    mote_id = Id()
    justerat = Tidpunkt(allow_none=True, metadata={"description": "När protokollet blev justerat och låst."})
    justerat_av_id = Id(allow_none=True, metadata={"description": "Projektledaren som justerade."})
    projektledare_justerat = Tidpunkt(allow_none=True, metadata={"description": "När projektledaren justerade."})
    justerare_id = Id(allow_none=True, metadata={"description": "Andra justeraren, om en är utsedd."})
    justerare_justerat = Tidpunkt(allow_none=True, metadata={"description": "När andra justeraren justerade."})
    bara_egna = fields.Boolean(metadata={"description": "Bara punkter om ärenden du har aktualiserat "
                                                        "(du sitter inte i teamet)."})
    innehall = fields.Dict(metadata={"description": "Mötet, närvaro per part och beslut per punkt med "
                                                    "referenskod; fryst vid justering."})
    tillagg = Lista(Objekt(Protokolltillagg))


class NyttProtokolltillagg(In):
    text = Text(required=True, metadata={"description": "Vanlig text, bara referenskoder."})


class ForsenadAtgard(Ut):
    id = Id()
    arende_id = Id()
    referens = fields.String()
    beskrivning = fields.String()
    ansvarig = fields.String()
    klar_senast = Datum()
    kan_markera_klar = fields.Boolean()


class PartRef(Ut):
    id = Id()
    namn = fields.String()


class PartsForsenade(Ut):
    part = Objekt(PartRef)
    atgarder = Lista(Objekt(ForsenadAtgard))


class ForsenadeAtgarder(Ut):
    parter = Lista(Objekt(PartsForsenade))


class KlarAtgard(Ut):
    id = Id()
    klar_den = Datum(allow_none=True)


@endpoint("GET", "/arenden/<int:arende_id>/matningar", svar=Matningar, fel=(403,))
@policy.regel("arende_detaljer")
def lista_matningar(arende_id: int):
    """Ärendets mätningar vid uppföljning (steg, sysselsättningsgrad, ORS), äldst först"""
    return {"matningar": uppfoljning.matningar(arende_services.get_arende(api_user(), arende_id))}


@endpoint("POST", "/arenden/<int:arende_id>/ateraktualisera", svar=(201, Ateraktualiserat), fel=(403, 409, 422),
          headers=["Location"])
@policy.regel("arende_detaljer")
def ateraktualisera(arende_id: int):
    """Återaktualisera ett avslutat ärende

    Ett nytt utkast för samma person och team, kopplat till det tidigare (foregaende_arende_id)."""
    nytt = aktualisering.ateraktualisera(api_user(), arende_id)
    return nytt, {"Location": url_for("api.visa_arende", arende_id=nytt.id)}


def protokoll_svar(sida: protokoll.ProtokollSida) -> dict:
    p = sida.protokoll
    return {"mote_id": sida.mote.id,
            "justerat": p.justerat if sida.justerat else None,
            "justerat_av_id": p.justerat_av_id if p and p.projektledare_justerat else None,
            "projektledare_justerat": p.projektledare_justerat if p else None,
            "justerare_id": p.justerare_id if p else None,
            "justerare_justerat": p.justerare_justerat if p else None,
            "bara_egna": sida.bara_egna,
            "innehall": sida.innehall, "tillagg": sida.tillagg}


@endpoint("GET", "/moten/<int:mote_id>/protokoll", svar=Protokoll)
@policy.regel("protokoll")
def visa_protokoll(mote_id: int):
    """Mötets protokoll: genererat, eller fryst om det är justerat

    Teamets medlemmar läser hela; den aktualiserande handläggaren av en punkt som inte sitter i
    teamet bara sina egna punkter."""
    return protokoll_svar(protokoll.visa(api_user(), mote_id))


@endpoint("POST", "/moten/<int:mote_id>/protokoll/justera", svar=Protokoll, fel=(403, 422))
@policy.regel("team_medlem")
def justera_protokoll(mote_id: int):
    """Justera protokollet (projektledaren och den utsedda andra justeraren)

    När alla justerare har justerat fryses innehållet, mötet låses och teamets medlemmar får ett
    meddelande; ändringar blir sedan tillägg."""
    protokoll.justera(api_user(), mote_id)
    return protokoll_svar(protokoll.visa(api_user(), mote_id))


@endpoint("POST", "/moten/<int:mote_id>/protokoll/tillagg", body=NyttProtokolltillagg, svar=(201, Protokolltillagg),
          fel=(403,))
@policy.regel("projektledare")
def protokolltillagg(mote_id: int, body: dict):
    """Skriv ett tillägg till ett justerat protokoll (projektledaren)"""
    return protokoll.lagg_till(api_user(), mote_id, body["text"])


@endpoint("GET", "/atgarder/forsenade", svar=ForsenadeAtgarder, fel=(403,))
@policy.regel("handlaggare")
def forsenade_atgarder():
    """Handlingsplanens åtgärder efter sista datum och inte klara, per part

    Projektledarens team; handläggarens egen part."""
    return {"parter": [
        {"part": part, "atgarder": [{"id": r.atgard.id, "arende_id": r.arende_id, "referens": r.referens,
                                     "beskrivning": r.atgard.beskrivning, "ansvarig": r.atgard.ansvarig,
                                     "klar_senast": r.atgard.klar_senast, "kan_markera_klar": r.kan_markera}
                                    for r in rader]}
        for part, rader in atgarder.forsenade(api_user()).items()]}


@endpoint("POST", "/atgarder/<int:atgard_id>/klar", svar=KlarAtgard, fel=(403, 409))
@policy.regel("handlaggare")
def atgard_klar(atgard_id: int):
    """Markera en åtgärd klar (den ansvariga partens medlemmar eller projektledaren)"""
    return atgarder.markera_klar(api_user(), atgard_id)
