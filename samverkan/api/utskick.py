"""API: a meeting's outbox — when its kallelse is due or went out, and each message's
state (queued, being sent, sent, failed with the reason). For the team's projektledare;
anyone else gets 404. No message text and no addresses: the state is what a client needs.
"""

from __future__ import annotations

from marshmallow import post_dump

from samverkan.api.auth import api_user
from samverkan.api.endpoint import endpoint
from samverkan.api.schema import Id, Lista, Objekt, Tidpunkt, Ut, fields
from samverkan.api.teams import Person
from samverkan.auth import policy
from samverkan.kallelser import services
from samverkan.kallelser.models import UtskickStatus, UtskickTyp


class Utskick(Ut):
    """Ett meddelande i utkorgen. Varken text eller adress: bara läget."""

    id = Id()
    typ = fields.Enum(UtskickTyp, by_value=fields.String, metadata={
        "description": "kallelse, tillagg (tilläggskallelse), installning (METHOD:CANCEL) eller paminnelse "
                       "(om anmälan till dagordningen)."})
    mottagare = Objekt(Person)
    version = fields.String(metadata={"description": "Mötets sekvens.agendaversion som meddelandet beskriver.",
                                      "examples": ["1.3"]})
    status = fields.Enum(UtskickStatus, by_value=fields.String, metadata={
        "description": "koad, skickar (hämtad av en avsändare), skickad eller misslyckad."})
    forsok = fields.Integer(metadata={"minimum": 0, "description": "Misslyckade försök hittills."})
    senaste_fel = fields.String(allow_none=True, metadata={"description": "Orsaken till senaste misslyckandet."})
    skapad = Tidpunkt()
    nasta_forsok = Tidpunkt(allow_none=True, metadata={"description": "När ett köat meddelande skickas tidigast."})
    skickad = Tidpunkt(allow_none=True)

    @post_dump
    def _bara_koade(self, data: dict, **kwargs) -> dict:
        if data["status"] != UtskickStatus.KOAD.value:
            data["nasta_forsok"] = None
        data["senaste_fel"] = data["senaste_fel"] or None
        return data


class MotetsUtskick(Ut):
    mote_id = Id()
    installt = Tidpunkt(allow_none=True)
    kallelse_planerad = Tidpunkt(allow_none=True)
    kallelse_skickad = Tidpunkt(allow_none=True)
    anmalan_stanger = Tidpunkt(allow_none=True)
    paminnelse_planerad = Tidpunkt(allow_none=True)
    paminnelse_skickad = Tidpunkt(allow_none=True)
    smtp_konfigurerad = fields.Boolean(metadata={
        "description": "false: e-post lämnar inte installationen; utskicken läses i appen."})
    utskick = Lista(Objekt(Utskick), metadata={"description": "Nyaste först."})


@endpoint("GET", "/moten/<int:mote_id>/utskick", svar=MotetsUtskick)
@policy.regel("projektledare", dold=True)
def lista_utskick(mote_id: int):
    """Mötets kallelse och utskick med status (projektledaren)"""
    user = api_user()
    mote = services.get_mote(user, mote_id)
    oversikt = services.oversikt(user, mote)
    return {"mote_id": mote.id, "paminnelse_planerad": oversikt.paminnelse_planerad,
            "smtp_konfigurerad": oversikt.smtp_konfigurerad, "utskick": oversikt.rader,
            **{f: getattr(mote, f) for f in ("installt", "kallelse_planerad", "kallelse_skickad",
                                             "anmalan_stanger", "paminnelse_skickad")}}
