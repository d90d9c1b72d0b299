"""The reminder about an offered place: when an offer has waited the team's number of
days (``Team.erbjudande_paminnelse_dagar``, 7 by default) for the projektledare's
confirmation, each of the team's projektledare gets one message with a link to the
overview — no reference code, nothing about the individual. One per offer: the insats
row is locked and marked in the same transaction, so running the job twice (or two
schedulers at once) writes it once. The caller commits."""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app
from sqlalchemy import select

from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.forbund.models import Team, TeamRoll
from samverkan.insatser.models import Insats, InsatsStatus
from samverkan.kallelser import brev
from samverkan.kallelser.models import UtskickTyp
from samverkan.kallelser.services import mottagare

log = logging.getLogger(__name__)


def _forfallen(erbjuden: dt.datetime, dagar: int, idag: dt.date) -> bool:
    return (idag - clock.local(erbjuden).date()).days >= dagar


def skriv(nu: dt.datetime) -> int:
    """Write the reminder of every offer due and not yet reminded; the number written."""
    idag = clock.local(nu).date()
    # Offers are few (a place freed, not yet confirmed): the team's days are compared here.
    kandidater = [insats_id for insats_id, erbjuden, dagar in db.session.execute(
        select(Insats.id, Insats.erbjuden, Team.erbjudande_paminnelse_dagar)
        .join(Team, Team.id == Insats.team_id)
        .where(Insats.status == InsatsStatus.ERBJUDEN, Insats.paminnelse_skickad.is_(None),
               Insats.erbjuden.is_not(None))
        .order_by(Insats.id)).all() if _forfallen(erbjuden, dagar, idag)]
    antal = 0
    url = f"{current_app.config['BASE_URL'].rstrip('/')}/oversikt/#erbjudanden-rubrik"
    for insats_id in kandidater:
        insats = db.session.execute(
            select(Insats).where(Insats.id == insats_id).with_for_update()
            .execution_options(populate_existing=True)).scalar_one()
        if insats.paminnelse_skickad is not None or insats.status != InsatsStatus.ERBJUDEN:
            continue  # another scheduler was first, or it was confirmed meanwhile
        dagar = (idag - clock.local(insats.erbjuden).date()).days
        amne = "En erbjuden insatsplats väntar på bekräftelse"
        text = (f"En plats som erbjöds för {dagar} dagar sedan väntar fortfarande på att "
                "projektledaren bekräftar den eller tackar nej.\n\n"
                f"Öppna översikten:\n{url}\n\n"
                "Meddelandet skickades automatiskt av Samverkan och innehåller inga uppgifter om ärendet.\n")
        for user in mottagare(insats.team_id, (TeamRoll.PROJEKTLEDARE,)):
            brev.koa(user, UtskickTyp.ERBJUDANDE, version=f"erbjudande-{insats.id}", amne=amne, text=text, nu=nu)
            antal += 1
        insats.paminnelse_skickad = nu
        db.session.flush()
        audit.record("insats.paminnelse", "insats", insats.id, user_id=None, falt=["paminnelse_skickad"])
        log.info("insats %s: reminder about the offer written", insats.id)
    return antal
