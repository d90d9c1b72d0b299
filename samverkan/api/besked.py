"""API: the caller's own notice settings, and naming the protokoll's second justerare.
The same services as the pages (``besked.val``, ``protokoll.services``)."""

from __future__ import annotations

from samverkan.api.auth import api_user
from samverkan.api.endpoint import endpoint
from samverkan.api.schema import Id, In, Sant, Ut, fields
from samverkan.api.uppfoljning import Protokoll, protokoll_svar
from samverkan.auth import policy
from samverkan.besked import val
from samverkan.protokoll import services as protokoll


def _beskrivning(slag: val.Slag) -> str:
    return f"{slag.rubrik}: {slag.beskrivning}"


# The fields from the one list of kinds (``val.SLAG``), so a new kind is one line there.
BeskedVal = Ut.from_dict({s.falt: fields.Boolean(metadata={"description": _beskrivning(s)}) for s in val.SLAG},
                         name="BeskedVal")
NyaBeskedVal = In.from_dict({s.falt: Sant(metadata={"description": _beskrivning(s)}) for s in val.SLAG},
                            name="NyaBeskedVal")


class NyJusterare(In):
    justerare_id = Id(required=True, allow_none=True,
                      metadata={"description": "En ledamot eller ersättare i teamet; null: ingen andra justerare."})


@endpoint("GET", "/konto/besked", svar=BeskedVal)
@policy.regel("inloggad")
def visa_besked():
    """Dina val för e-post: vilka meddelanden du får (alla på om du inte stängt av dem)"""
    return val.installningar(api_user())


@endpoint("PUT", "/konto/besked", body=NyaBeskedVal, svar=BeskedVal)
@policy.regel("inloggad")
def spara_besked(body: dict):
    """Ändra dina val för e-post; ett slag som inte nämns behåller sitt värde"""
    return val.spara(api_user(), body)


@endpoint("PUT", "/moten/<int:mote_id>/protokoll/justerare", body=NyJusterare, svar=Protokoll, fel=(403, 422))
@policy.regel("projektledare")
def utse_justerare(mote_id: int, body: dict):
    """Utse protokollets andra justerare (projektledaren), tills protokollet är justerat

    Protokollet är justerat när både projektledaren och den andra justeraren har justerat."""
    protokoll.utse_justerare(api_user(), mote_id, body["justerare_id"])
    return protokoll_svar(protokoll.visa(api_user(), mote_id))
