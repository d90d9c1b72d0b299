"""Imports every model so the metadata (and Alembic's autogenerate) sees the whole schema."""

from samverkan.arenden.models import Arende, ArendeHandelse, Referensserie  # noqa: F401
from samverkan.auth.models import ApiToken, Inloggningsforsok, User  # noqa: F401
from samverkan.core.audit import AuditEntry  # noqa: F401
from samverkan.deltagare.models import Deltagare, Samtycke  # noqa: F401
from samverkan.forbund.models import (  # noqa: F401
    Forbund,
    ForbundsRollTilldelning,
    Medlemskap,
    Part,
    Team,
)
from samverkan.moten.models import Dagordningspunkt, Mote  # noqa: F401
