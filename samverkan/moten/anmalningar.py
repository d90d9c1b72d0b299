"""A handläggare's request for a place on a meeting's agenda, until its deadline. The
ärende's state does not change; the projektledare books it (``dagordning.lagg_till``).
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.moten.hamta import _arende_for, _mote
from samverkan.moten.models import Dagordningspunkt, Mote, MotesTyp, PunktStatus, punktregler
from samverkan.moten.tider import anmalan_oppen, motesdatum
from workflows import arende as wf


def anmal(user: User, mote_id: int, arende_id: int) -> Dagordningspunkt:
    """A handläggare asks for a place for their ärende (aktualiserad or due for
    uppföljning) until the agenda deadline. The ärende's state does not change; the
    projektledare books it."""
    mote = _mote(user, mote_id, las=True)
    arende = _arende_for(user, mote, arende_id)
    policy.require_anmala(user, arende)
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är inställt.")
    if mote.typ != MotesTyp.ARENDEDRAGNING:
        raise DomainError("planeringsmote", "Mötet är ett planeringsmöte utan ärendedragning.")
    if not anmalan_oppen(mote):
        stanger = clock.local(mote.anmalan_stanger or mote.starttid)
        raise DomainError("anmalan_stangd", f"Anmälan till mötet stängde {stanger:%Y-%m-%d %H:%M}. "
                          "Kontakta projektledaren eller anmäl ärendet till nästa möte.")
    if arende.status not in (wf.AKTUALISERAD, wf.UPPFOLJNING):
        raise DomainError("fel_status", f"Bara aktualiserade ärenden och ärenden för uppföljning kan anmälas "
                          f"(ärendet har status ”{wf.STATE_LABELS[arende.status]}”).", field="arende_id")
    datum = motesdatum(mote)
    if arende.samtycke is None or not arende.samtycke.galler(datum):
        raise DomainError("villkor_ej_uppfyllt", wf.GUARD_MESSAGES["samtycke_tacker_motet"], field="arende_id")
    annan = db.session.execute(
        select(Dagordningspunkt).join(Mote, Mote.id == Dagordningspunkt.mote_id)
        .where(Dagordningspunkt.arende_id == arende.id,
               and_(Dagordningspunkt.status == PunktStatus.ANMALD, Mote.installt.is_(None),
                    Mote.starttid > clock.now()))
        .limit(1)
    ).scalar_one_or_none()
    if annan is not None:
        if annan.mote_id == mote.id:
            raise DomainError("redan_anmald", f"{arende.referens} är redan anmält till mötet.", field="arende_id")
        raise DomainError("redan_anmald", f"{arende.referens} är redan anmält till mötet "
                          f"{motesdatum(annan.mote).isoformat()}.", field="arende_id")
    if db.session.execute(select(Dagordningspunkt.id).where(Dagordningspunkt.mote_id == mote.id,
                                                            Dagordningspunkt.arende_id == arende.id)).first():
        raise DomainError("redan_pa_dagordningen", f"{arende.referens} finns redan på mötets dagordning.",
                          field="arende_id")
    punkt = Dagordningspunkt(mote=mote, arende=arende, status=punktregler.forsta(PunktStatus.ANMALD),
                             anmald_av_id=user.id,
                             ordning=0, uppfoljning=arende.status == wf.UPPFOLJNING)
    db.session.add(punkt)
    db.session.flush()
    audit.record("mote.anmalan", "mote", mote.id, user_id=user.id, falt=["anmalan"])
    return punkt


def moten_for_anmalan(user: User, arende: Arende) -> list[Mote]:
    """The upcoming case meetings of the ärende's team still open for requests, if the
    user may ask for a place for it now (for an "Anmäl till möte" choice on the ärende
    page; the request itself is ``anmal``). One query, none if the user may not."""
    if arende.status not in (wf.AKTUALISERAD, wf.UPPFOLJNING) or not policy.may_anmala(user, arende):
        return []
    nu = clock.now()
    return db.session.execute(
        select(Mote)
        .where(Mote.team_id == arende.team_id, Mote.installt.is_(None), Mote.typ == MotesTyp.ARENDEDRAGNING,
               Mote.starttid > nu, or_(Mote.anmalan_stanger.is_(None), Mote.anmalan_stanger > nu))
        .order_by(Mote.starttid, Mote.id)
    ).scalars().all()
