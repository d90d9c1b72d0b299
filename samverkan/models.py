"""Imports every model so the metadata (and Alembic's autogenerate) sees the whole schema."""

from samverkan.anteckningar.models import Anteckning  # noqa: F401
from samverkan.arenden.models import Arende, ArendeHandelse, Forberedelse, Referensserie  # noqa: F401
from samverkan.auth.models import ApiToken, Aterstallningskod, Engangslank, Inloggningsforsok, User  # noqa: F401
from samverkan.core.audit import AuditEntry  # noqa: F401
from samverkan.deltagare.models import Deltagare, Samtycke  # noqa: F401
from samverkan.efterkontroll.models import Efterkontroll, Overlamning  # noqa: F401
from samverkan.forbund.models import (  # noqa: F401
    Forbund,
    ForbundsRollTilldelning,
    Medlemskap,
    Part,
    Team,
)
from samverkan.insatser.models import Insats, Insatstyp  # noqa: F401
from samverkan.kallelser.models import Utskick  # noqa: F401
from samverkan.moten.models import Dagordningspunkt, Mote, Narvaro  # noqa: F401
from samverkan.protokoll.models import Protokoll, Protokolltillagg  # noqa: F401
from samverkan.rapporter.models import FinsamRegistrering, KubMarkeringar, NyckeltalMal  # noqa: F401
from samverkan.samplanering.models import Atgard, IndividensMal, IndividensNarvaro  # noqa: F401
from samverkan.uppfoljning.models import Steg, Stegmatning  # noqa: F401
