"""A message to one person that belongs to no meeting (an invitation, a password link, a
warning about failed logins, a reminder before a consent expires): one outbox row,
queued, delivered by the scheduler like every kallelse. Nothing personal goes in it but
the recipient's own address; the caller writes the text."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from samverkan.core import clock
from samverkan.core.db import db
from samverkan.kallelser.models import Utskick, UtskickStatus, UtskickTyp, utskicksregler


def ny_message_id() -> str:
    """A placeholder until the row has its id (``services.message_id``)."""
    return f"<utskick-{uuid.uuid4().hex}@samverkan>"


def koa(user, typ: UtskickTyp, *, version: str, amne: str, text: str,
        nu: dt.datetime | None = None, mote_id: int | None = None) -> Utskick:
    """Queue one message to ``user`` (the caller flushes and audits). ``mote_id``: the
    meeting a notice is about, if any (its unique key then holds it to one)."""
    nu = nu or clock.now()
    utskick = Utskick(mote_id=mote_id, typ=typ, mottagare_id=user.id, epost=user.epost, version=version,
                      amne=amne, text=text, ics=None, message_id=ny_message_id(),
                      status=utskicksregler.forsta(UtskickStatus.KOAD), forsok=0, nasta_forsok=nu,
                      senaste_fel="", skapad=nu)
    db.session.add(utskick)
    return utskick


def redan_koad(user_id: int, typ: UtskickTyp, version: str, mote_id: int | None = None) -> bool:
    """Whether the message ``version`` of ``typ`` was already written for the user: one
    message per person and event, however often the event's code runs. (The unique keys,
    ``uq_utskick_*``, are the last guard against two writers at once.)"""
    return db.session.execute(
        select(Utskick.id).where(Utskick.typ == typ, Utskick.mottagare_id == user_id, Utskick.version == version,
                                 Utskick.mote_id.is_(None) if mote_id is None else Utskick.mote_id == mote_id)
        .limit(1)
    ).first() is not None
