"""Creating, changing, moving and cancelling one meeting, and the rules for its fields.

Checks access through the policy, changes and flushes, and audits; the caller commits
once. Nothing here sends mail: the kallelse scheduler finds due and changed meetings by
query, from what these functions maintain on the meeting — ``kallelse_planerad``/
``anmalan_stanger`` (``kallelser.regler.planera`` on create and move) and ``sekvens``
(bumped on every change of time, place or status). A cancellation sends the ärenden on
its agenda back to the inbox through ``arenden.services.fire``.
"""

from __future__ import annotations

import datetime as dt
import re

from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.clock import STOCKHOLM
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.core.svenska import antal
from samverkan.forbund.models import Team
from samverkan.kallelser import regler
from samverkan.moten.hamta import _mote, _punkter, _team
from samverkan.moten.models import Dagordningspunkt, Mote, MotesTyp, PunktStatus
from samverkan.moten.tider import (
    MAX_LANGD,
    MIN_LANGD,
    ar_passerat,
    berakna_tidsluckor,
    lokal_starttid,
    motesdatum,
)
from samverkan.moten.utfall import _bordlagg

TYP_LABELS = {MotesTyp.ARENDEDRAGNING: "Ärendedragning", MotesTyp.PLANERING: "Planeringsmöte"}
MAX_KAPACITET = 50
_LANK = re.compile(r"^https?://\S+$", re.IGNORECASE)
_SAKNAS = object()


def _kan_andras(mote: Mote) -> None:
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är inställt och kan inte ändras.")
    if ar_passerat(mote):
        raise DomainError("mote_passerat", "Mötet har redan börjat eller hållits och kan inte ändras.")


def _text(value: str | None, falt: str, max_langd: int, label: str) -> str:
    value = (value or "").strip()
    if len(value) > max_langd:
        raise DomainError("for_lang", f"{label} får vara högst {max_langd} tecken.", field=falt)
    return value


def _videolank(value: str | None) -> str:
    value = _text(value, "videolank", 500, "Videolänken")
    if value and not _LANK.match(value):
        # Shown as a link in pages and kallelser: only web addresses, never javascript: etc.
        raise DomainError("ogiltig_lank", "Videolänken ska vara en webbadress som börjar med https://.",
                          field="videolank")
    return value


def _langd(value: int | None) -> int:
    if value is None or not MIN_LANGD <= value <= MAX_LANGD:
        raise DomainError("ogiltig_langd", f"Ange mötets längd i minuter ({MIN_LANGD}–{MAX_LANGD}).",
                          field="langd_minuter")
    return value


def _typ(value: MotesTyp | str | None) -> MotesTyp:
    if isinstance(value, MotesTyp):
        return value
    try:
        return MotesTyp(value)
    except ValueError:
        raise DomainError("ogiltig_typ", "Välj en mötestyp från listan.", field="typ") from None


def _kapacitet(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= MAX_KAPACITET:
        raise DomainError("ogiltig_kapacitet", f"Kapaciteten ska vara mellan 1 och {MAX_KAPACITET} ärenden.",
                          field="kapacitet")
    return value


def _framtida(starttid: dt.datetime, falt: str = "datum") -> dt.datetime:
    if starttid <= clock.now():
        raise DomainError("tid_passerad", "Mötet kan inte läggas i det förflutna.", field=falt)
    return starttid


def _nytt_mote(user: User, team: Team, starttid: dt.datetime, *, langd_minuter: int, plats: str,
               videolank: str, typ: MotesTyp, kapacitet_: int | None = None) -> Mote:
    mote = Mote(team_id=team.id, team=team, starttid=starttid, langd_minuter=langd_minuter, plats=plats,
                videolank=videolank, typ=typ, kapacitet=kapacitet_)
    regler.planera(mote)
    db.session.add(mote)
    db.session.flush()
    audit.record("mote.skapa", "mote", mote.id, user_id=user.id,
                 falt=["starttid", "langd_minuter", "plats", "videolank", "typ", "kapacitet"])
    return mote


def skapa_mote(user: User, team_id: int, *, datum: dt.date, klockslag: dt.time, langd_minuter: int,
               plats: str = "", videolank: str = "", typ: MotesTyp | str = MotesTyp.ARENDEDRAGNING,
               kapacitet_: int | None = None) -> Mote:
    """One extra meeting outside the rule."""
    team = _team(user, team_id, andra=True)
    return _nytt_mote(user, team, _framtida(lokal_starttid(datum, klockslag)),
                      langd_minuter=_langd(langd_minuter), plats=_text(plats, "plats", 300, "Platsen"),
                      videolank=_videolank(videolank), typ=_typ(typ), kapacitet_=_kapacitet(kapacitet_))


def andra_mote(user: User, mote_id: int, *, datum: dt.date | None = None, klockslag: dt.time | None = None,
               langd_minuter: int | None = None, plats: str | None = None, videolank: str | None = None,
               typ: MotesTyp | str | None = None, kapacitet_: int | None | object = _SAKNAS) -> Mote:
    """Edit or move a meeting; arguments left out (None) stay as they are (``kapacitet_``
    None means the team's default). A move recomputes the kallelse's due time; any change
    of time, length, place, link or type bumps the iCalendar sequence so calendars and
    the kallelse scheduler see it."""
    mote = _mote(user, mote_id, andra=True, las=True)
    _kan_andras(mote)
    lokal = clock.local(mote.starttid)
    ny_start = lokal_starttid(lokal.date() if datum is None else datum,
                              lokal.time().replace(tzinfo=None) if klockslag is None else klockslag)
    nytt = {
        "starttid": ny_start,
        "langd_minuter": mote.langd_minuter if langd_minuter is None else _langd(langd_minuter),
        "plats": mote.plats if plats is None else _text(plats, "plats", 300, "Platsen"),
        "videolank": mote.videolank if videolank is None else _videolank(videolank),
        "typ": mote.typ if typ is None else _typ(typ),
    }
    andrade = [k for k, v in nytt.items() if getattr(mote, k) != v]
    ny_kapacitet = mote.kapacitet if kapacitet_ is _SAKNAS else _kapacitet(kapacitet_)
    if ny_kapacitet != mote.kapacitet:
        andrade.append("kapacitet")
    if not andrade:
        return mote
    punkter = _punkter(mote)
    bokade = [p for p in punkter if p.status == PunktStatus.BOKAD]
    if "starttid" in andrade:
        _framtida(ny_start, "datum" if datum is not None and datum != lokal.date() else "klockslag")
        if ny_start.astimezone(STOCKHOLM).date() != lokal.date():
            _samtycke_tacker_nytt_datum(bokade, ny_start.astimezone(STOCKHOLM).date())
    if nytt["typ"] == MotesTyp.PLANERING and bokade:
        raise DomainError("planering_med_arenden", "Ett planeringsmöte har inga ärenden: ta först bort "
                          "ärendena från dagordningen.", field="typ")
    if ny_kapacitet is not None and len(bokade) > ny_kapacitet:
        raise DomainError("kapacitet_under_bokade", f"Dagordningen har redan {antal(len(bokade), 'ärende', 'ärenden')}; "
                          "kapaciteten kan inte vara lägre.", field="kapacitet")
    for k, v in nytt.items():
        setattr(mote, k, v)
    mote.kapacitet = ny_kapacitet
    if set(andrade) - {"kapacitet"}:
        mote.sekvens += 1
    if "starttid" in andrade:
        regler.planera(mote)
    if berakna_tidsluckor(mote, bokade):
        mote.agendaversion += 1
    db.session.flush()
    audit.record("mote.andra", "mote", mote.id, user_id=user.id, falt=andrade)
    return mote


def _samtycke_tacker_nytt_datum(bokade: list[Dagordningspunkt], datum: dt.date) -> None:
    ej = [p.arende.referens for p in bokade if p.arende.samtycke is None or not p.arende.samtycke.galler(datum)]
    if ej:
        raise DomainError("samtycke_tacker_inte_datum",
                          f"Samtycket gäller inte det nya datumet för {', '.join(ej)}. Ta bort "
                          "ärendet från dagordningen eller registrera ett nytt samtycke först.",
                          field="datum")


def installa_mote(user: User, mote_id: int) -> Mote:
    """Cancel: the meeting stays in the calendar as inställt. Ärenden on its agenda go
    back to the inbox (bordlagg); requests for it lapse."""
    mote = _mote(user, mote_id, andra=True, las=True)
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är redan inställt.")
    if ar_passerat(mote):
        raise DomainError("mote_passerat", "Mötet har redan börjat eller hållits och kan inte ställas in.")
    punkter = _punkter(mote)
    kommentar = f"Mötet {motesdatum(mote).isoformat()} ställdes in."
    for punkt in punkter:
        if punkt.status == PunktStatus.ANMALD:
            db.session.delete(punkt)
        elif punkt.utfall is None:
            _bordlagg(user, punkt, kommentar)
    mote.installt = clock.now()
    mote.sekvens += 1
    db.session.flush()
    audit.record("mote.installa", "mote", mote.id, user_id=user.id, falt=["installt"])
    return mote
