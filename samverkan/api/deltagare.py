"""API: exact lookup of a deltagare by personnummer or samordningsnummer.

A POST, not a GET, so the number travels in the body and never lands in URLs, proxy
logs or browser history. The answer carries no number and no name.
"""

from __future__ import annotations

from samverkan.api.auth import api_user
from samverkan.api.endpoint import endpoint, fel_svar
from samverkan.api.schema import Heltal, Id, In, Text, Ut, fields
from samverkan.auth import policy
from samverkan.core.errors import NotFound
from samverkan.deltagare import services
from samverkan.deltagare.models import Kon


class Deltagare(Ut):
    id = Id()
    kon = fields.Enum(Kon, by_value=fields.String)
    fodelsear = Heltal()
    samordningsnummer = fields.Boolean()


class DeltagareSok(In):
    personnummer = Text(required=True, metadata={"examples": ["19850312-1234"]})


@endpoint("POST", "/deltagare/sok", body=DeltagareSok, svar=Deltagare, fel=(403, 404))
@policy.regel("handlaggare")
def sok_deltagare(body: dict):
    """Sök deltagare på exakt personnummer eller samordningsnummer

    POST så att numret aldrig hamnar i en URL eller i loggar. Sökningen loggas."""
    found = services.sok(api_user(), body["personnummer"])
    if found is None:
        # Answered, not raised: the search itself is audited, and that entry is kept.
        return fel_svar(NotFound("Ingen deltagare med det numret."))
    return found
