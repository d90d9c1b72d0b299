"""Imports every model so the metadata (and Alembic's autogenerate) sees the whole schema."""

from samverkan.anteckningar.models import Anteckning  # noqa: F401
from samverkan.arenden.models import Arende, ArendeHandelse, Forberedelse, Referensserie  # noqa: F401
from samverkan.auth.models import ApiToken, Aterstallningskod, Inloggningsforsok, User  # noqa: F401
from samverkan.core.audit import AuditEntry  # noqa: F401
from samverkan.deltagare.models import Deltagare, Samtycke  # noqa: F401
from samverkan.forbund.models import (  # noqa: F401
    Forbund,
    ForbundsRollTilldelning,
    Medlemskap,
    Part,
    Team,
)
from samverkan.kallelser.models import Utskick  # noqa: F401
from samverkan.moten.models import Dagordningspunkt, Mote  # noqa: F401
