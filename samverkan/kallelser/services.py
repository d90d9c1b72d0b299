"""Kallelser: deciding what is due, writing it to the outbox, and the outbox's bookkeeping.

What is due is always a query ("due and not yet sent"), never remembered state in the
scheduler, so a job run twice, or by two schedulers at once, decides nothing twice:

- kallelse: a future, not cancelled meeting whose ``kallelse_planerad`` has come and whose
  kallelse has not gone out;
- tilläggskallelse: the kallelse went out, and the meeting's ``sekvens`` (time, place) or
  ``agendaversion`` has changed since (``skickad_*`` record what it described), at the
  earliest UTSKICK_TILLAGG_VANTAN_MINUTER after the previous one, so a burst of edits
  goes out as one message;
- inställelse: a cancelled future meeting whose kallelse went out (METHOD:CANCEL);
- påminnelse: handläggare are reminded before the agenda deadline, once per meeting.

Each decision locks its meeting row, looks again at what is committed, and writes one
outbox row per recipient plus the meeting's "sent" marks in the caller's transaction: the
job commits once per meeting. The outbox's unique key (meeting, kind, recipient, version)
is the last guard: a second writer fails with IntegrityError and the job rolls back.

Messages carry reference codes, parties and the meeting page's address, never a name,
personnummer or anything from the case text. The sender's side (claiming, marking sent or
failed) is here too; ``jobs.py`` drives it and ``mail.py`` speaks SMTP.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from samverkan.arenden.models import Arende
from samverkan.arenden.services import Sida
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.db import rader as rader_av  # "rader" names the lists here
from samverkan.core.errors import DomainError, NotFound
from samverkan.core.svenska import svensk_ordning
from samverkan.deltagare.models import Samtycke
from samverkan.forbund.models import Medlemskap, Team, TeamRoll
from samverkan.kallelser import brev, ics, regler
from samverkan.kallelser.brev import ny_message_id
from samverkan.kallelser.models import Utskick, UtskickStatus, UtskickTyp, utskicksregler
from samverkan.moten import punktparter
from samverkan.moten.models import Dagordningspunkt, Mote, MotesTyp, PunktStatus

TYP_ETIKETT = {
    UtskickTyp.KALLELSE: "Kallelse",
    UtskickTyp.TILLAGG: "Tilläggskallelse",
    UtskickTyp.INSTALLNING: "Inställt möte",
    UtskickTyp.PAMINNELSE: "Påminnelse om anmälan",
    UtskickTyp.INLOGGNINGSVARNING: "Varning om misslyckade inloggningar",
    UtskickTyp.SAMTYCKE: "Påminnelse om samtycke",
    UtskickTyp.ERBJUDANDE: "Påminnelse om erbjuden insatsplats",
    UtskickTyp.BESLUT: "Beslut efter mötet",
    UtskickTyp.VECKOSAMMANSTALLNING: "Veckosammanställning",
    UtskickTyp.UPPDRAG: "Nytt uppdrag som samcoach",
    UtskickTyp.PROTOKOLL: "Protokollet är justerat",
}
STATUS_ETIKETT = {
    UtskickStatus.KOAD: "Köad",
    UtskickStatus.SKICKAR: "Skickas",
    UtskickStatus.SKICKAD: "Skickad",
    UtskickStatus.MISSLYCKAD: "Misslyckad",
}

# Who gets what. The projektledare gets a copy of the kallelse (to see what went out).
KALLELSE_ROLLER = (TeamRoll.LEDAMOT, TeamRoll.ERSATTARE, TeamRoll.PROJEKTLEDARE)
PAMINNELSE_ROLLER = (TeamRoll.LEDAMOT, TeamRoll.ERSATTARE)
# The reminder is the team's deadline days plus reminder days before the kallelse (2 + 2
# by default, each at most 14: forbund.services); a day more covers a DST change in
# between, the exact time is then checked with regler.
PAMINNELSE_HORISONT = dt.timedelta(days=29)

VECKODAGAR = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")

DEFAULTS = {
    "MAIL_FROM": "samverkan@localhost",
    "UTSKICK_MAX_FORSOK": 8,
    "UTSKICK_MAX_VANTAN_MINUTER": 60,
    # A claim older than this is taken to be from a sender that died mid-send. Keep it
    # well above SMTP_TIMEOUT, or a slow but living sender's message goes out twice.
    "UTSKICK_LAS_SEKUNDER": 600,
    # A tilläggskallelse waits this long after the previous kallelse or tillägg.
    "UTSKICK_TILLAGG_VANTAN_MINUTER": 10,
}


def installning(name: str):
    return current_app.config.get(name, DEFAULTS.get(name))


# --- what is due ------------------------------------------------------------------------


def _kallelse_villkor(nu: dt.datetime) -> tuple:
    return (Mote.installt.is_(None), Mote.starttid > nu, Mote.kallelse_planerad <= nu,
            Mote.kallelse_skickad.is_(None))


def _andrad_sedan_kallelsen():
    return or_(func.coalesce(Mote.skickad_sekvens, -1) != Mote.sekvens,
               func.coalesce(Mote.skickad_agendaversion, -1) != Mote.agendaversion)


def _tillagg_villkor(nu: dt.datetime) -> tuple:
    # A projektledare editing the agenda after the kallelse makes several changes in a
    # row: wait a few minutes after the last kallelse or tillägg, so they go out as one.
    senaste = (
        select(func.max(Utskick.skapad))
        .where(Utskick.mote_id == Mote.id, Utskick.typ.in_([UtskickTyp.KALLELSE, UtskickTyp.TILLAGG]))
        .scalar_subquery()
    )
    vantan = dt.timedelta(minutes=float(installning("UTSKICK_TILLAGG_VANTAN_MINUTER")))
    return (Mote.installt.is_(None), Mote.starttid > nu, Mote.kallelse_skickad.is_not(None),
            _andrad_sedan_kallelsen(), or_(senaste.is_(None), senaste <= nu - vantan))


def _installning_villkor(nu: dt.datetime) -> tuple:
    # A cancellation bumps sekvens (meeting service); should it not, "no cancellation
    # written yet" still catches it once.
    skriven = exists().where(Utskick.mote_id == Mote.id, Utskick.typ == UtskickTyp.INSTALLNING)
    return (Mote.installt.is_not(None), Mote.starttid > nu, Mote.kallelse_skickad.is_not(None),
            or_(func.coalesce(Mote.skickad_sekvens, -1) != Mote.sekvens, ~skriven))


def _paminnelse_villkor(nu: dt.datetime) -> tuple:
    """The SQL half of the reminder's rule; ``_paminnelse_nu`` checks the exact time."""
    return (Mote.installt.is_(None), Mote.typ == MotesTyp.ARENDEDRAGNING, Mote.paminnelse_skickad.is_(None),
            Mote.starttid > nu, Mote.kallelse_planerad.is_not(None),
            Mote.kallelse_planerad <= nu + PAMINNELSE_HORISONT,
            or_(Mote.anmalan_stanger.is_(None), Mote.anmalan_stanger > nu))


def anmalan_deadline(mote: Mote) -> dt.datetime:
    return mote.anmalan_stanger or regler.anmalan_stanger(mote.starttid, mote.team.kallelse_dagar_fore,
                                                          mote.team.anmalan_dagar_fore_kallelse)


def _paminnelse_nu(mote: Mote, nu: dt.datetime) -> bool:
    return regler.team_paminnelse_tid(mote.starttid, mote.team) <= nu < anmalan_deadline(mote)


_VILLKOR = {
    UtskickTyp.KALLELSE: _kallelse_villkor,
    UtskickTyp.TILLAGG: _tillagg_villkor,
    UtskickTyp.INSTALLNING: _installning_villkor,
    UtskickTyp.PAMINNELSE: _paminnelse_villkor,
}


def planera_saknade(nu: dt.datetime) -> int:
    """Safety net: a future meeting without a planned kallelse gets one by its team's rule
    (the meeting service plans on create and move; a kallelse must never be forgotten)."""
    moten = db.session.execute(
        select(Mote).options(joinedload(Mote.team))
        .where(Mote.installt.is_(None), Mote.starttid > nu, Mote.kallelse_planerad.is_(None))
    ).scalars().all()
    for mote in moten:
        regler.planera(mote)
    db.session.flush()
    return len(moten)


def forfallna(nu: dt.datetime) -> list[tuple[UtskickTyp, int]]:
    """(kind, meeting id) for everything due now, by query: a handful of statements."""
    due: list[tuple[UtskickTyp, int]] = []
    for typ in (UtskickTyp.INSTALLNING, UtskickTyp.KALLELSE, UtskickTyp.TILLAGG):
        ids = db.session.execute(
            select(Mote.id).where(*_VILLKOR[typ](nu)).order_by(Mote.starttid, Mote.id)
        ).scalars().all()
        due.extend((typ, mote_id) for mote_id in ids)
    kandidater = db.session.execute(
        select(Mote).options(joinedload(Mote.team)).where(*_paminnelse_villkor(nu))
        .order_by(Mote.starttid, Mote.id)
    ).scalars().all()
    due.extend((UtskickTyp.PAMINNELSE, m.id) for m in kandidater if _paminnelse_nu(m, nu))
    return due


def _fortfarande_forfallen(typ: UtskickTyp, mote: Mote, nu: dt.datetime) -> bool:
    # A new statement after the lock: on PostgreSQL (read committed) it sees whatever
    # another scheduler committed while we waited for the row.
    still = db.session.execute(select(Mote.id).where(Mote.id == mote.id, *_VILLKOR[typ](nu))).first()
    if still is None:
        return False
    return typ != UtskickTyp.PAMINNELSE or _paminnelse_nu(mote, nu)


# --- writing the outbox -----------------------------------------------------------------


def message_id(utskick_id: int, skapad: dt.datetime) -> str:
    """The message's stable Message-ID: the outbox row's id and the site's domain (from
    BASE_URL), so a resend after a crash is recognisably the same mail. The row's creation
    second is in it too: after a restore from backup ids are handed out again, and a new
    message must not look like a copy of one sent before the restore."""
    doman = urlsplit(current_app.config["BASE_URL"]).hostname or "samverkan"
    return f"<utskick-{utskick_id}.{skapad.astimezone(dt.UTC):%Y%m%d%H%M%S}@{doman}>"


def motessida(mote: Mote) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/moten/{mote.id}"


def mottagare(team_id: int, roller) -> list[User]:
    medlemmar = select(Medlemskap.user_id).where(Medlemskap.team_id == team_id, Medlemskap.roll.in_(roller))
    return list(db.session.execute(
        select(User).where(User.id.in_(medlemmar), User.aktiv.is_(True)).order_by(svensk_ordning(User.namn), User.id)
    ).scalars())


def dagordning(mote: Mote) -> list[Dagordningspunkt]:
    """The booked agenda items in order (requests not yet booked are not on it)."""
    return list(db.session.execute(
        select(Dagordningspunkt)
        .options(joinedload(Dagordningspunkt.arende).options(
            joinedload(Arende.aktualiserande_part),
            selectinload(Arende.samtycken).selectinload(Samtycke.parter)))
        .where(Dagordningspunkt.mote_id == mote.id, Dagordningspunkt.status == PunktStatus.BOKAD)
        .order_by(Dagordningspunkt.ordning, Dagordningspunkt.tidslucka, Dagordningspunkt.id)
    ).scalars())


@dataclass(frozen=True)
class Punkt:
    """One agenda line as the e-mail shows it: reference code, party, new/uppföljning."""

    tid: str
    referens: str
    part: str
    slag: str
    # The parties that take part in the item (the consent's); the others step out.
    med: str = ""
    utan: str = ""


def _en_rad(text: str) -> str:
    # Free text from forms goes into headers and single lines of the message: no line
    # breaks (a header cannot have one, and a line of its own could pose as the link).
    return " ".join((text or "").split())


def _rubrik(typ: UtskickTyp, mote: Mote) -> str:
    start = clock.local(mote.starttid)
    nar = f"{_en_rad(mote.team.namn)} {start:%Y-%m-%d %H:%M}"
    if typ == UtskickTyp.PAMINNELSE:
        deadline = clock.local(anmalan_deadline(mote))
        return f"Påminnelse: anmäl ärenden till {nar} senast {deadline:%Y-%m-%d %H:%M}"
    prefix = {UtskickTyp.KALLELSE: "Kallelse", UtskickTyp.TILLAGG: "Ändrad kallelse",
              UtskickTyp.INSTALLNING: "Inställt"}[typ]
    return f"{prefix}: {nar}"


def _text(typ: UtskickTyp, mote: Mote) -> str:
    """The plain-text body, the same for every recipient."""
    start = clock.local(mote.starttid)
    slut = start + dt.timedelta(minutes=mote.langd_minuter)
    punkter = []
    if typ in (UtskickTyp.KALLELSE, UtskickTyp.TILLAGG):
        rader = dagordning(mote)
        parter = punktparter.parter_per_punkt(mote, rader)
        punkter = [
            Punkt(
                tid=p.tidslucka.strftime("%H:%M") if p.tidslucka else "",
                referens=p.arende.referens,
                part=_en_rad(p.arende.aktualiserande_part.namn),
                slag="uppföljning" if p.uppfoljning else "nytt ärende",
                med=_en_rad(parter[p.id].med_text),
                utan=_en_rad(parter[p.id].utan_text),
            )
            for p in rader
        ]
    andrat = []
    if typ == UtskickTyp.TILLAGG:
        if mote.skickad_sekvens != mote.sekvens:
            andrat.append("tid eller plats")
        if mote.skickad_agendaversion != mote.agendaversion:
            andrat.append("dagordningen")
    deadline = clock.local(anmalan_deadline(mote)) if typ == UtskickTyp.PAMINNELSE else None
    text = render_template(
        f"kallelser/epost/{'paminnelse' if typ == UtskickTyp.PAMINNELSE else 'kallelse'}.txt",
        typ=typ.value,
        team=_en_rad(mote.team.namn),
        motestyp=ics.MOTESTYP_TEXT[mote.typ],
        datum=start.strftime("%Y-%m-%d"),
        veckodag=VECKODAGAR[start.weekday()],
        tid=f"{start:%H:%M}–{slut:%H:%M}",
        plats=_en_rad(mote.plats),
        videolank=_en_rad(mote.videolank),
        punkter=punkter,
        andrat=andrat,
        deadline=f"{deadline:%Y-%m-%d %H:%M}" if deadline else "",
        url=motessida(mote),
    )
    return text.strip() + "\n"


def _version(typ: UtskickTyp, mote: Mote) -> str:
    if typ == UtskickTyp.PAMINNELSE:
        # One reminder per deadline: should a move reset paminnelse_skickad, the new
        # deadline gets its own reminder.
        return "anmalan-" + clock.local(anmalan_deadline(mote)).strftime("%Y-%m-%dT%H:%M")
    return f"{mote.sekvens}.{mote.agendaversion}"


def skriv(typ: UtskickTyp, mote_id: int, nu: dt.datetime) -> list[Utskick]:
    """Decide one meeting's message of kind ``typ`` again under a row lock and write it to
    the outbox for every recipient, with the meeting's "sent" marks. The caller commits;
    nothing is written (empty list) if it is no longer due."""
    mote = db.session.execute(
        select(Mote).where(Mote.id == mote_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if mote is None or not _fortfarande_forfallen(typ, mote, nu):
        return []

    roller = PAMINNELSE_ROLLER if typ == UtskickTyp.PAMINNELSE else KALLELSE_ROLLER
    amne = _rubrik(typ, mote)
    text = _text(typ, mote)
    version = _version(typ, mote)
    avsandare = installning("MAIL_FROM")
    url = motessida(mote)
    rader = []
    for user in mottagare(mote.team_id, roller):
        kalender = None
        if typ != UtskickTyp.PAMINNELSE:
            metod = ics.CANCEL if typ == UtskickTyp.INSTALLNING else ics.REQUEST
            kalender = ics.bygg(mote, metod=metod, nu=nu, organisator=avsandare, mottagare=user.epost, url=url)
        rad = Utskick(
            mote_id=mote.id, typ=typ, mottagare_id=user.id, epost=user.epost, version=version,
            amne=amne, text=text, ics=kalender, message_id=ny_message_id(),
            status=utskicksregler.forsta(UtskickStatus.KOAD), forsok=0, nasta_forsok=nu, senaste_fel="", skapad=nu,
        )
        db.session.add(rad)
        rader.append(rad)

    if typ == UtskickTyp.PAMINNELSE:
        mote.paminnelse_skickad = nu
        falt = ["paminnelse_skickad"]
    else:
        if typ == UtskickTyp.KALLELSE:
            mote.kallelse_skickad = nu
        mote.skickad_sekvens = mote.sekvens
        mote.skickad_agendaversion = mote.agendaversion
        falt = ["kallelse_skickad", "skickad_sekvens", "skickad_agendaversion"]
    db.session.flush()
    for rad in rader:
        rad.message_id = message_id(rad.id, rad.skapad)
    db.session.flush()
    entry = audit.record(f"utskick.{typ.value}", "mote", mote.id, user_id=None, falt=falt)
    entry.kanal = "jobb"
    return rader


# --- the sender's bookkeeping ------------------------------------------------------------


@dataclass(frozen=True)
class Leverans:
    """A claimed message, as plain values: the sender works on it after the claim's
    commit, outside any transaction."""

    id: int
    epost: str
    amne: str
    text: str
    ics: str | None
    message_id: str
    typ: UtskickTyp


def _att_leverera(nu: dt.datetime, gammal_hamtning: dt.datetime):
    return or_(
        and_(Utskick.status == UtskickStatus.KOAD, Utskick.nasta_forsok <= nu),
        and_(Utskick.status == UtskickStatus.SKICKAR, Utskick.hamtad < gammal_hamtning),
    )


def _las_tid() -> dt.timedelta:
    return dt.timedelta(seconds=float(installning("UTSKICK_LAS_SEKUNDER")))


def finns_att_leverera(nu: dt.datetime) -> bool:
    return db.session.execute(
        select(Utskick.id).where(_att_leverera(nu, nu - _las_tid())).limit(1)
    ).first() is not None


def vantetid(forsok: int) -> dt.timedelta:
    """Exponential backoff after the ``forsok``-th failure: 1, 2, 4 … minutes, capped."""
    tak = int(installning("UTSKICK_MAX_VANTAN_MINUTER"))
    return dt.timedelta(minutes=min(2 ** max(forsok - 1, 0), tak))


def _uppdatera(utskick_id: int, *villkor, **values) -> bool:
    """Compare-and-set on one row: true if this call changed it (the WHERE re-checks the
    state it expects, so of two senders exactly one wins)."""
    result = db.session.execute(
        update(Utskick).where(Utskick.id == utskick_id, *villkor).values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def hamta(avsandare: str, nu: dt.datetime) -> Leverans | None:
    """Claim the oldest due message for ``avsandare``; the caller commits the claim before
    sending. A claim left by a sender that died mid-send is taken over after
    UTSKICK_LAS_SEKUNDER and counts as a failed attempt."""
    gammal = nu - _las_tid()
    max_forsok = int(installning("UTSKICK_MAX_FORSOK"))
    kandidater = db.session.execute(
        select(Utskick.id, Utskick.status, Utskick.forsok)
        .where(_att_leverera(nu, gammal)).order_by(Utskick.id).limit(20)
    ).all()
    for utskick_id, status, forsok in kandidater:
        if status == UtskickStatus.KOAD:
            vann = _uppdatera(utskick_id, Utskick.status == UtskickStatus.KOAD, Utskick.nasta_forsok <= nu,
                              status=utskicksregler.steg(UtskickStatus.KOAD, UtskickStatus.SKICKAR),
                              hamtad_av=avsandare, hamtad=nu)
        elif forsok + 1 >= max_forsok:
            _uppdatera(utskick_id, Utskick.status == UtskickStatus.SKICKAR, Utskick.hamtad < gammal,
                       status=utskicksregler.steg(UtskickStatus.SKICKAR, UtskickStatus.MISSLYCKAD),
                       forsok=forsok + 1,
                       senaste_fel="Utskicket avbröts upprepade gånger och har gett upp.")
            continue
        else:
            vann = _uppdatera(utskick_id, Utskick.status == UtskickStatus.SKICKAR, Utskick.hamtad < gammal,
                              status=utskicksregler.steg(UtskickStatus.SKICKAR, UtskickStatus.SKICKAR),
                              hamtad_av=avsandare, hamtad=nu, forsok=forsok + 1,
                              senaste_fel="Ett tidigare försök avbröts innan det bekräftades.")
        if vann:
            rad = db.session.execute(
                select(Utskick.epost, Utskick.amne, Utskick.text, Utskick.ics, Utskick.message_id, Utskick.typ)
                .where(Utskick.id == utskick_id)
            ).one()
            return Leverans(utskick_id, *rad)
    return None


def markera_skickad(utskick_id: int, avsandare: str, nu: dt.datetime) -> bool:
    return _uppdatera(utskick_id, Utskick.status == UtskickStatus.SKICKAR, Utskick.hamtad_av == avsandare,
                      status=utskicksregler.steg(UtskickStatus.SKICKAR, UtskickStatus.SKICKAD),
                      skickad=nu, senaste_fel="")


def markera_misslyckad(utskick_id: int, avsandare: str, nu: dt.datetime, fel: str, *,
                       permanent: bool) -> UtskickStatus | None:
    """A failed attempt: queued again after the backoff, or given up after the last."""
    forsok = db.session.execute(select(Utskick.forsok).where(Utskick.id == utskick_id)).scalar_one() + 1
    status = (UtskickStatus.MISSLYCKAD if permanent or forsok >= int(installning("UTSKICK_MAX_FORSOK"))
              else UtskickStatus.KOAD)
    values = {"status": utskicksregler.steg(UtskickStatus.SKICKAR, status), "forsok": forsok, "senaste_fel": fel[:500]}
    if status == UtskickStatus.KOAD:
        values["nasta_forsok"] = nu + vantetid(forsok)
    changed = _uppdatera(utskick_id, Utskick.status == UtskickStatus.SKICKAR,
                         Utskick.hamtad_av == avsandare, **values)
    return status if changed else None


def markera_forfallna_misslyckade(nu: dt.datetime, fel: str) -> int:
    """The mail server cannot be reached: every due queued message records the attempt,
    so the outbox shows why nothing leaves, and waits for its backoff."""
    max_forsok = int(installning("UTSKICK_MAX_FORSOK"))
    rader = db.session.execute(
        select(Utskick.id, Utskick.forsok)
        .where(Utskick.status == UtskickStatus.KOAD, Utskick.nasta_forsok <= nu)
        .order_by(Utskick.id).limit(1000)
    ).all()
    antal = 0
    for utskick_id, forsok in rader:
        ny = forsok + 1
        values = {"forsok": ny, "senaste_fel": fel[:500]}
        if ny >= max_forsok:
            values["status"] = UtskickStatus.MISSLYCKAD
        else:
            values["nasta_forsok"] = nu + vantetid(ny)
        antal += _uppdatera(utskick_id, Utskick.status == UtskickStatus.KOAD, Utskick.forsok == forsok, **values)
    return antal


# --- reading the outbox (projektledare) --------------------------------------------------


def kan_se_utskick(user: User, mote: Mote) -> bool:
    return policy.may_se_utskick(user, mote.team)


def get_mote(user: User, mote_id: int) -> Mote:
    mote = db.session.get(Mote, mote_id)
    if mote is None:
        raise NotFound("Mötet finns inte.")
    policy.require_utskickens_team(user, mote.team, "Mötet finns inte.")
    return mote


def list_for_mote(user: User, mote: Mote) -> list[Utskick]:
    """A meeting's messages, newest decision first; one query."""
    policy.require_utskickens_team(user, mote.team)
    return list(db.session.execute(_MOTETS_UTSKICK, {"mote_id": mote.id}).scalars())


# Built once, the meeting bound per call: the agenda builder shows it on every request (issue 19).
_MOTETS_UTSKICK = (select(Utskick).options(joinedload(Utskick.mottagare))
                   .where(Utskick.mote_id == bindparam("mote_id"))
                   .order_by(Utskick.skapad.desc(), Utskick.id))


@dataclass(frozen=True)
class Oversikt:
    """The meeting page's outbox section: the messages, and when the reminder is due if
    it is still to come."""

    rader: list[Utskick]
    paminnelse_planerad: dt.datetime | None
    smtp_konfigurerad: bool


# The meeting page's outbox table: the columns it shows, not entities (issue 19).
_MOTETS_UTSKICKSRADER = (select(Utskick.id, Utskick.typ, User.namn.label("mottagare"), Utskick.version,
                                Utskick.status, Utskick.senaste_fel, Utskick.forsok, Utskick.skickad,
                                Utskick.nasta_forsok, Utskick.skapad)
                         .join(User, User.id == Utskick.mottagare_id)
                         .where(Utskick.mote_id == bindparam("mote_id"))
                         .order_by(Utskick.skapad.desc(), Utskick.id))


def oversikt(user: User, mote: Mote, *, som_rader: bool = False) -> Oversikt:
    """``som_rader``: the messages as rows of what the meeting page shows (the recipient's
    name as ``mottagare``), not entities."""
    if som_rader:
        policy.require_utskickens_team(user, mote.team)
        rader = rader_av(_MOTETS_UTSKICKSRADER, {"mote_id": mote.id})
    else:
        rader = list_for_mote(user, mote)
    paminnelse = None  # only while a reminder is still to come
    if (mote.typ == MotesTyp.ARENDEDRAGNING and mote.installt is None and mote.paminnelse_skickad is None
            and anmalan_deadline(mote) > clock.now()):
        paminnelse = regler.team_paminnelse_tid(mote.starttid, mote.team)
    return Oversikt(rader=rader, paminnelse_planerad=paminnelse,
                    smtp_konfigurerad=bool(current_app.config.get("SMTP_HOST")))


def list_utskick(user: User, *, status: UtskickStatus | None = None, sida: int = 1,
                 per_sida: int = 25) -> Sida:
    """Messages of the meetings of the teams ``user`` leads, newest first: two queries."""
    policy.require_leder_nagot_team(user)
    where = [Team.forbund_id == user.forbund_id, Mote.team_id.in_(policy.ledda_team_ids(user))]
    if status is not None:
        where.append(Utskick.status == status)
    bas = select(Utskick).join(Mote, Utskick.mote_id == Mote.id).join(Team, Mote.team_id == Team.id)
    totalt = db.session.execute(
        select(func.count()).select_from(bas.where(*where).subquery())
    ).scalar_one()
    sida = max(1, sida)
    rader = db.session.execute(
        bas.where(*where)
        .options(joinedload(Utskick.mottagare))
        .add_columns(Mote.starttid.label("starttid"), Team.namn.label("team"))
        .order_by(Utskick.skapad.desc(), Utskick.id.desc())
        .limit(per_sida).offset((sida - 1) * per_sida)
    ).all()
    return Sida(rader=list(rader), sida=sida, per_sida=per_sida, totalt=totalt)


def get_utskick(user: User, utskick_id: int) -> Utskick:
    # ``get``: the access rule has loaded it (with its recipient) for this request already.
    utskick = db.session.get(Utskick, utskick_id, options=[joinedload(Utskick.mottagare)])
    mote = db.session.get(Mote, utskick.mote_id) if utskick and utskick.mote_id else None
    policy.require_utskickens_team(user, mote.team if mote else None)
    return utskick


def forsok_igen(user: User, utskick_id: int) -> Utskick:
    """A failed message goes back in the queue with its attempts reset (e.g. after the
    mail settings or the recipient's address were fixed)."""
    utskick = get_utskick(user, utskick_id)
    if utskick.status != UtskickStatus.MISSLYCKAD:
        raise DomainError("ej_misslyckad", "Bara misslyckade utskick kan skickas igen.")
    utskicksregler.byt(utskick, UtskickStatus.KOAD)
    utskick.forsok = 0
    utskick.nasta_forsok = clock.now()
    utskick.senaste_fel = ""
    # The address may have been corrected since the message was written.
    utskick.epost = utskick.mottagare.epost
    db.session.flush()
    audit.record("utskick.forsok_igen", "utskick", utskick.id, user_id=user.id,
                 falt=["status", "forsok", "nasta_forsok", "epost"])
    return utskick


# --- reminders before a consent expires (issue 15) ---------------------------------------

# How long before its last day a consent's reminder goes out.
SAMTYCKE_PAMINNELSE_DAGAR = 30


def samtyckespaminnelser(nu: dt.datetime) -> int:
    """Write the reminder for every open ärende whose current consent ends within
    SAMTYCKE_PAMINNELSE_DAGAR days and has had none: one message to the aktualiserande
    handläggare and one to each of the team's projektledare, with the reference code and
    a link to the case page only. The consent row is locked and marked in the same
    transaction, so running it twice (or two schedulers) writes each reminder once.
    The caller commits. Returns the number of messages written."""
    from workflows import arende as wf

    idag = clock.local(nu).date()
    senaste = select(func.max(Samtycke.id)).where(Samtycke.arende_id == Arende.id).correlate(Arende).scalar_subquery()
    kandidater = db.session.execute(
        select(Samtycke.id).join(Arende, Arende.id == Samtycke.arende_id)
        .where(Samtycke.id == senaste, Arende.status.in_(wf.OPEN), Samtycke.aterkallat.is_(None),
               Samtycke.paminnelse_skickad.is_(None),
               Samtycke.giltigt_till <= idag + dt.timedelta(days=SAMTYCKE_PAMINNELSE_DAGAR))
        .order_by(Samtycke.id)
    ).scalars().all()
    antal = 0
    for samtycke_id in kandidater:
        samtycke = db.session.execute(
            select(Samtycke).where(Samtycke.id == samtycke_id).with_for_update()
            .execution_options(populate_existing=True)).scalar_one()
        if samtycke.paminnelse_skickad is not None:
            continue  # another scheduler was first
        arende = db.session.get(Arende, samtycke.arende_id)
        mottagare_ = {arende.handlaggare_id: arende.handlaggare}
        for user in mottagare(arende.team_id, (TeamRoll.PROJEKTLEDARE,)):
            mottagare_.setdefault(user.id, user)
        url = f"{current_app.config['BASE_URL'].rstrip('/')}/arenden/{arende.id}"
        amne = f"Samtycket går ut: {arende.referens}"
        text = (f"Samtycket för ärende {arende.referens} gäller till och med "
                f"{samtycke.giltigt_till.isoformat()}.\n\n"
                "Registrera ett förnyat samtycke på ärendesidan innan dess; ett utgånget samtycke "
                "stoppar informationsdelning och bokning som ett återkallat.\n"
                f"{url}\n\n"
                "Meddelandet skickades automatiskt av Samverkan och innehåller bara referenskoden.\n")
        for user in mottagare_.values():
            if not user.aktiv:
                continue
            brev.koa(user, UtskickTyp.SAMTYCKE, version=f"samtycke-{samtycke.id}", amne=amne, text=text, nu=nu)
            antal += 1
        samtycke.paminnelse_skickad = nu
        db.session.flush()
        audit.record("samtycke.paminnelse", "arende", arende.id, user_id=None, falt=["paminnelse_skickad"])
    return antal
