"""Meeting and agenda operations for the UI and the API alike.

Owns a team's calendar (a year generated from the team's rule, edits, moves,
cancellations) and each meeting's agenda (the projektledare adds, removes and orders
items; handläggare ask for a place until the agenda deadline; after the meeting, items
not reached go back to the inbox). Every status change of an ärende goes through
``arenden.services.fire``, so its guards (consent covering the meeting date) and its
history row apply.

Each function checks access through the policy, changes and flushes, and audits; the
caller commits once. Nothing here sends mail: the kallelse scheduler finds due and
changed meetings by query, from what these functions maintain on the meeting —
``kallelse_planerad``/``anmalan_stanger`` (``kallelser.regler.planera`` on create and
move), ``sekvens`` (bumped on every change of time, place or status) and
``agendaversion`` (bumped on every change of the agenda).

Agenda changes lock the meeting row first (``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite ``BEGIN IMMEDIATE`` serialises writers), so the capacity is counted inside the
lock and two simultaneous additions cannot overbook it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from samverkan.arenden import services as arende_services
from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.clock import STOCKHOLM
from samverkan.core.db import db
from samverkan.core.errors import DomainError, Forbidden, NotFound
from samverkan.core.svenska import antal, svensk_ordning
from samverkan.deltagare.models import Samtycke
from samverkan.forbund.models import Medlemskap, Part, PartTyp, Team, TeamRoll
from samverkan.kallelser import regler
from samverkan.moten.models import Dagordningspunkt, Mote, MotesTyp, PunktStatus, punktregler
from workflows import arende as wf

log = logging.getLogger(__name__)

MANADER = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december"]
VECKODAGAR = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]
ORDNINGAR = {1: "första", 2: "andra", 3: "tredje", 4: "fjärde", -1: "sista"}
TYP_LABELS = {MotesTyp.ARENDEDRAGNING: "Ärendedragning", MotesTyp.PLANERING: "Planeringsmöte"}
# Outcome of an item at the meeting, from the trigger that took the ärende off the agenda.
UTFALL = {"samplanera": "samplanerad", "folj_upp": "foljd_upp", "bordlagg": "bordlagd",
          "avsluta": "avslutad", "aterkalla": "aterkallad", "felregistrera": "felregistrerad"}
UTFALL_LABELS = {"samplanerad": "Samplanerad", "foljd_upp": "Följd upp", "bordlagd": "Bordlagd (ej hunnen)",
                 "avslutad": "Avslutad", "aterkallad": "Samtycke återkallat",
                 "felregistrerad": "Felregistrerad"}
AR_MANADER = 12
MIN_LANGD, MAX_LANGD = 5, 600
MAX_KAPACITET = 50
PASSERADE_PER_SIDA = 12
_LANK = re.compile(r"^https?://\S+$", re.IGNORECASE)


# --- time helpers -------------------------------------------------------------------


def lokal_starttid(datum: dt.date, klockslag: dt.time) -> dt.datetime:
    """A Stockholm wall-clock time as a UTC instant: 13:00 stays 13:00 across DST."""
    return dt.datetime.combine(datum, klockslag, tzinfo=STOCKHOLM).astimezone(dt.UTC)


def motesdatum(mote: Mote) -> dt.date:
    return clock.local(mote.starttid).date()


def nte_veckodag(ar: int, manad: int, veckodag: int, ordning: int) -> dt.date:
    """The ``ordning``-th (1–4, or -1 for the last) ``veckodag`` (0 = Monday) of a month."""
    if ordning == -1:
        sista = dt.date(ar, manad, calendar.monthrange(ar, manad)[1])
        return sista - dt.timedelta(days=(sista.weekday() - veckodag) % 7)
    forsta = dt.date(ar, manad, 1)
    return forsta + dt.timedelta(days=(veckodag - forsta.weekday()) % 7 + 7 * (ordning - 1))


def _borjan_av_idag() -> dt.datetime:
    return lokal_starttid(clock.today(), dt.time(0, 0))


def kapacitet(mote: Mote) -> int:
    return mote.kapacitet or mote.team.agendakapacitet


def standardlangd(mote: Mote) -> int:
    """An item's default length: the team's time per ärende, else the meeting's length
    shared by its capacity."""
    if mote.team.minuter_per_arende:
        return mote.team.minuter_per_arende
    return max(MIN_LANGD, mote.langd_minuter // max(1, kapacitet(mote)))


def punktlangd(mote: Mote, punkt: Dagordningspunkt) -> int:
    return punkt.langd_minuter or standardlangd(mote)


def ar_passerat(mote: Mote) -> bool:
    """The meeting has started: its agenda is what it was, outcomes come next."""
    return mote.starttid <= clock.now()


def pagar_idag(mote: Mote) -> bool:
    """The meeting has started today (Stockholm) and is neither cancelled nor justerat:
    an extra ärende may still be added to its agenda (issue 15)."""
    from samverkan.protokoll.las import ar_justerat

    return (mote.installt is None and ar_passerat(mote) and motesdatum(mote) == clock.today()
            and not ar_justerat(mote.id))


def registreras_i_efterhand(mote: Mote) -> bool:
    """Recorded after the meeting day: shown as such on the page and in the history."""
    return motesdatum(mote) < clock.today()


def anmalan_oppen(mote: Mote) -> bool:
    stanger = mote.anmalan_stanger or mote.starttid
    return mote.installt is None and clock.now() < stanger


# --- access ---------------------------------------------------------------------------


def _team(user: User, team_id: int, *, andra: bool = False) -> Team:
    team = db.session.get(Team, team_id)
    return policy.require_projektledare(user, team) if andra else policy.require_team_medlem(user, team)


def _mote(user: User, mote_id: int, *, andra: bool = False, las: bool = False) -> Mote:
    """The meeting if the user may see it (404 otherwise) or, with ``andra``, change it
    (403 for other members). ``las`` takes the row lock and reads it afresh."""
    stmt = select(Mote).where(Mote.id == mote_id).options(joinedload(Mote.team))
    if las:
        # populate_existing: counters bumped after the lock must start from the locked row.
        stmt = stmt.with_for_update(of=Mote).execution_options(populate_existing=True)
    mote = db.session.execute(stmt).scalar_one_or_none()
    if mote is None:
        raise NotFound("Mötet finns inte.")
    try:
        _team(user, mote.team_id, andra=andra)
    except NotFound:
        raise NotFound("Mötet finns inte.") from None
    return mote


def _kan_andras(mote: Mote) -> None:
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är inställt och kan inte ändras.")
    if ar_passerat(mote):
        raise DomainError("mote_passerat", "Mötet har redan börjat eller hållits och kan inte ändras.")


def _agenda_kan_andras(mote: Mote) -> None:
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är inställt; dagordningen kan inte ändras.")
    if ar_passerat(mote):
        raise DomainError("mote_passerat", "Mötet har redan börjat; dagordningen kan inte ändras. "
                          "Avsluta mötets dagordning när mötet är klart.")


# --- validation of meeting fields ---------------------------------------------------------


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


# --- the calendar ---------------------------------------------------------------------------


@dataclass
class MotesRad:
    """One meeting in a list, with its agenda counts (read in the same query)."""

    mote: Mote
    antal_punkter: int
    antal_anmalda: int

    @property
    def kapacitet(self) -> int:
        return kapacitet(self.mote)


@dataclass
class Kalender:
    team: Team
    kommande: list[MotesRad]
    passerade: list[MotesRad]
    passerade_sida: int
    passerade_sidor: int
    passerade_totalt: int
    ar_projektledare: bool


def _antal(status: PunktStatus):
    return (
        select(func.count(Dagordningspunkt.id))
        .where(Dagordningspunkt.mote_id == Mote.id, Dagordningspunkt.status == status)
        .correlate(Mote)
        .scalar_subquery()
    )


def _rader(stmt) -> list[MotesRad]:
    rows = db.session.execute(
        stmt.add_columns(_antal(PunktStatus.BOKAD), _antal(PunktStatus.ANMALD))
        .options(joinedload(Mote.team))
    ).all()
    return [MotesRad(mote=m, antal_punkter=b, antal_anmalda=a) for m, b, a in rows]


def kalender(user: User, team_id: int, *, passerade_sida: int = 1,
             per_sida: int = PASSERADE_PER_SIDA) -> Kalender:
    """A team's meetings: from today on in date order, then the past ones newest first,
    paged. Three queries whatever the number of meetings or agenda items."""
    team = _team(user, team_id)
    idag = _borjan_av_idag()
    kommande = _rader(select(Mote).where(Mote.team_id == team.id, Mote.starttid >= idag)
                      .order_by(Mote.starttid, Mote.id))
    passerade_totalt = db.session.execute(
        select(func.count(Mote.id)).where(Mote.team_id == team.id, Mote.starttid < idag)
    ).scalar_one()
    sidor = max(1, -(-passerade_totalt // per_sida))
    passerade_sida = min(max(1, passerade_sida), sidor)
    passerade = _rader(select(Mote).where(Mote.team_id == team.id, Mote.starttid < idag)
                       .order_by(Mote.starttid.desc(), Mote.id.desc())
                       .limit(per_sida).offset((passerade_sida - 1) * per_sida))
    return Kalender(team=team, kommande=kommande, passerade=passerade, passerade_sida=passerade_sida,
                    passerade_sidor=sidor, passerade_totalt=passerade_totalt,
                    ar_projektledare=policy.is_projektledare(user, team.id))


def list_moten(user: User, team_id: int, *, fran: dt.date | None = None) -> list[MotesRad]:
    """All of a team's meetings in date order (from ``fran``, a Stockholm date, if given)."""
    team = _team(user, team_id)
    stmt = select(Mote).where(Mote.team_id == team.id).order_by(Mote.starttid, Mote.id)
    if fran is not None:
        stmt = stmt.where(Mote.starttid >= lokal_starttid(fran, dt.time(0, 0)))
    return _rader(stmt)


def get_team(user: User, team_id: int, *, andra: bool = False) -> Team:
    return _team(user, team_id, andra=andra)


def teams_for(user: User) -> list[Team]:
    """The teams whose calendars the user may see (members of them)."""
    return db.session.execute(
        select(Team)
        .where(Team.forbund_id == user.forbund_id,
               Team.id.in_(select(Medlemskap.team_id).where(Medlemskap.user_id == user.id)))
        .order_by(svensk_ordning(Team.namn), Team.id)
    ).scalars().all()


# --- creating, generating, changing, cancelling meetings ------------------------------------


@dataclass
class Generering:
    skapade: list[Mote] = field(default_factory=list)
    fanns_redan: list[dt.date] = field(default_factory=list)  # a meeting already on that date
    passerade: list[dt.date] = field(default_factory=list)  # the rule's date has passed


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


def generera_ar(user: User, team_id: int, *, veckodag: int, ordning: int, klockslag: dt.time,
                uppehall: set[int], startmanad: dt.date, plats: str = "", videolank: str = "",
                typ: MotesTyp | str = MotesTyp.ARENDEDRAGNING, langd_minuter: int = 120) -> Generering:
    """Meetings for twelve months from ``startmanad`` by a rule (e.g. the second Tuesday at
    13:00, no meeting in July). Idempotent: a date that already has a meeting of the team
    (cancelled ones included, so a cancellation is not undone) is skipped, and so is a
    date already past."""
    return generera_for_team(user, _team(user, team_id, andra=True), veckodag=veckodag, ordning=ordning,
                             klockslag=klockslag, uppehall=uppehall, startmanad=startmanad, plats=plats,
                             videolank=videolank, typ=typ, langd_minuter=langd_minuter)


def generera_for_team(user: User, team: Team, *, veckodag: int, ordning: int, klockslag: dt.time,
                      uppehall: set[int], startmanad: dt.date, plats: str = "", videolank: str = "",
                      typ: MotesTyp | str = MotesTyp.ARENDEDRAGNING, langd_minuter: int = 120) -> Generering:
    """``generera_ar`` for a team whose access the caller has checked (the projektledare
    there, the förbund admin in ``forbund.services``)."""
    if veckodag not in range(7):
        raise DomainError("ogiltig_veckodag", "Välj en veckodag.", field="veckodag")
    if ordning not in ORDNINGAR:
        raise DomainError("ogiltig_ordning", "Välj vilken veckodag i månaden (första–fjärde eller sista).",
                          field="ordning")
    if not uppehall <= set(range(1, 13)):
        raise DomainError("ogiltig_manad", "Välj uppehållsmånader från listan.", field="uppehall")
    if len(uppehall) == 12:
        raise DomainError("ogiltig_manad", "Minst en månad måste ha möte.", field="uppehall")
    langd_minuter = _langd(langd_minuter)
    plats = _text(plats, "plats", 300, "Platsen")
    videolank = _videolank(videolank)
    typ = _typ(typ)

    forsta = dt.date(startmanad.year, startmanad.month, 1)
    manader = []
    for i in range(AR_MANADER):
        ar, m0 = divmod(forsta.year * 12 + forsta.month - 1 + i, 12)
        manader.append((ar, m0 + 1))
    fran = lokal_starttid(forsta, dt.time(0, 0))
    sista_ar, sista_manad = manader[-1]
    till = lokal_starttid(dt.date(sista_ar, sista_manad, calendar.monthrange(sista_ar, sista_manad)[1])
                          + dt.timedelta(days=1), dt.time(0, 0))
    befintliga = {
        clock.local(t).date()
        for t in db.session.execute(
            select(Mote.starttid).where(Mote.team_id == team.id, Mote.starttid >= fran, Mote.starttid < till)
        ).scalars()
    }
    resultat = Generering()
    nu = clock.now()
    for ar, manad in manader:
        if manad in uppehall:
            continue
        datum = nte_veckodag(ar, manad, veckodag, ordning)
        starttid = lokal_starttid(datum, klockslag)
        if datum in befintliga:
            resultat.fanns_redan.append(datum)
        elif starttid <= nu:
            resultat.passerade.append(datum)
        else:
            resultat.skapade.append(_nytt_mote(user, team, starttid, langd_minuter=langd_minuter, plats=plats,
                                               videolank=videolank, typ=typ))
    log.info("team %s: %d meetings generated", team.id, len(resultat.skapade))
    return resultat


_SAKNAS = object()


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


def _bordlagg(user: User, punkt: Dagordningspunkt, kommentar: str) -> None:
    """The ärende goes back to the inbox (aktualiserad or uppföljning) marked not reached."""
    if punkt.arende.status == wf.PA_AGENDA:
        arende_services.fire(user, punkt.arende_id, "bordlagg", version=None, kommentar=kommentar,
                             kanal=wf.MOTE)
    punkt.utfall = UTFALL["bordlagg"]


# --- which parties take part in each item -------------------------------------------------


@dataclass
class PunktParter:
    """The team's parties for one agenda item: those the consent names take part; the
    others' members step out for the item and see its reference code only."""

    med: list[Part]
    utan: list[Part]

    @property
    def med_text(self) -> str:
        return ", ".join(p.namn for p in self.med) or "–"

    @property
    def utan_text(self) -> str:
        return ", ".join(p.namn for p in self.utan)


def parter_for(arende: Arende, parter: list[Part]) -> PunktParter:
    """Split the team's ``parter`` by the ärende's current consent."""
    s = arende.samtycke
    named = {p.id for p in s.parter} if s is not None and s.aterkallat is None else set()
    return PunktParter(med=[p for p in parter if p.id in named], utan=[p for p in parter if p.id not in named])


def parter_per_punkt(mote: Mote, punkter: list[Dagordningspunkt]) -> dict[int, PunktParter]:
    """Per item id, who takes part (the items' consents loaded with ``_punkter``)."""
    from samverkan.arenden.flow import team_parter

    parter = team_parter(mote.team_id)
    return {p.id: parter_for(p.arende, parter) for p in punkter}


# --- the meeting page ---------------------------------------------------------------------


@dataclass
class MoteSida:
    mote: Mote
    agenda: list[Dagordningspunkt]  # BOKAD, in order
    anmalningar: list[Dagordningspunkt]  # ANMALD: handläggare's requests
    inkorg: list  # arenden.services.InkorgRad not already on this agenda (projektledare only)
    anmalbara: list[Arende]  # the user's own ärenden they may ask a place for
    ar_projektledare: bool
    kapacitet: int
    standardlangd: int
    anmalare: dict[int, str] = field(default_factory=dict)  # who asked, by user id (staff names)
    parter: dict[int, PunktParter] = field(default_factory=dict)  # per item: who takes part

    @property
    def lediga(self) -> int:
        return max(0, self.kapacitet - len(self.agenda))

    @property
    def agenda_kan_andras(self) -> bool:
        return self.ar_projektledare and self.mote.installt is None and not ar_passerat(self.mote)

    @property
    def extra_arende_mojligt(self) -> bool:
        """During the meeting, on its day: an extra ärende can still be added."""
        return self.ar_projektledare and self.mote.typ == MotesTyp.ARENDEDRAGNING and pagar_idag(self.mote)

    @property
    def kan_avslutas(self) -> bool:
        return (self.ar_projektledare and self.mote.installt is None and ar_passerat(self.mote)
                and any(p.utfall is None for p in self.agenda))

    @property
    def anmalan_oppen(self) -> bool:
        return anmalan_oppen(self.mote) and self.mote.typ == MotesTyp.ARENDEDRAGNING

    def langd(self, punkt: Dagordningspunkt) -> int:
        return punktlangd(self.mote, punkt)


def _punkter(mote: Mote) -> list[Dagordningspunkt]:
    """All items of a meeting with what lists show (ärende, its party, consent)."""
    return db.session.execute(
        select(Dagordningspunkt)
        .where(Dagordningspunkt.mote_id == mote.id)
        .options(
            joinedload(Dagordningspunkt.arende).options(
                joinedload(Arende.aktualiserande_part),
                selectinload(Arende.samtycken).selectinload(Samtycke.parter),
            ),
        )
        .order_by(Dagordningspunkt.ordning, Dagordningspunkt.id)
    ).unique().scalars().all()


def get_mote(user: User, mote_id: int) -> Mote:
    return _mote(user, mote_id)


def mote_med_punkter(user: User, mote_id: int) -> tuple[Mote, list[Dagordningspunkt]]:
    """A meeting with its items (booked and asked for), by reference code: for members."""
    mote = _mote(user, mote_id)
    return mote, _punkter(mote)


def mote_sida(user: User, mote_id: int) -> MoteSida:
    """Everything the meeting page shows, in a fixed number of queries."""
    mote = _mote(user, mote_id)
    punkter = _punkter(mote)
    agenda = [p for p in punkter if p.status == PunktStatus.BOKAD]
    anmalningar = [p for p in punkter if p.status == PunktStatus.ANMALD]
    ar_pl = policy.is_projektledare(user, mote.team_id)
    inkorg = []
    if ar_pl and mote.installt is None and (not ar_passerat(mote) or pagar_idag(mote)) \
            and mote.typ == MotesTyp.ARENDEDRAGNING:
        pa_motet = {p.arende_id for p in punkter}
        inkorg = [r for r in arende_services.inkorg(user, mote.team_id).rader if r.arende.id not in pa_motet]
    anmalbara = []
    if anmalan_oppen(mote) and mote.typ == MotesTyp.ARENDEDRAGNING:
        anmalbara = db.session.execute(
            select(Arende)
            .where(policy.visible_arenden_clause(user), Arende.handlaggare_id == user.id,
                   Arende.team_id == mote.team_id, Arende.status.in_([wf.AKTUALISERAD, wf.UPPFOLJNING]),
                   Arende.id.not_in([p.arende_id for p in punkter] or [0]))
            .order_by(Arende.referens)
        ).scalars().all()
    anmalare = {}
    if anmalningar:
        anmalare = dict(db.session.execute(
            select(User.id, User.namn).where(User.id.in_({p.anmald_av_id for p in anmalningar}))
        ).all())
    return MoteSida(mote=mote, agenda=agenda, anmalningar=anmalningar, inkorg=inkorg, anmalbara=anmalbara,
                    ar_projektledare=ar_pl, kapacitet=kapacitet(mote), standardlangd=standardlangd(mote),
                    anmalare=anmalare, parter=parter_per_punkt(mote, agenda))


# --- the agenda -----------------------------------------------------------------------------


def berakna_tidsluckor(mote: Mote, bokade: list[Dagordningspunkt]) -> bool:
    """Number the items 1..n and give each its start (local time of day): the meeting's
    start plus the lengths before it. True if anything changed."""
    andrat = False
    start = clock.local(mote.starttid).replace(tzinfo=None)
    for i, punkt in enumerate(sorted(bokade, key=lambda p: (p.ordning, p.id)), start=1):
        lucka = start.time()
        if punkt.ordning != i or punkt.tidslucka != lucka:
            punkt.ordning, punkt.tidslucka = i, lucka
            andrat = True
        start += dt.timedelta(minutes=punktlangd(mote, punkt))
    return andrat


def _agenda_andrad(user: User, mote: Mote, bokade: list[Dagordningspunkt], handling: str,
                   falt: list[str]) -> None:
    berakna_tidsluckor(mote, bokade)
    mote.agendaversion += 1
    db.session.flush()
    audit.record(f"mote.dagordning.{handling}", "mote", mote.id, user_id=user.id, falt=falt)


def _arende_for(user: User, mote: Mote, arende_id: int) -> Arende:
    arende = db.session.get(Arende, arende_id)
    policy.require(user, arende, policy.Atkomst.REFERENS)
    if arende.team_id != mote.team_id:
        raise DomainError("annat_team", "Ärendet hör till ett annat team än mötet.", field="arende_id")
    return arende


def _overford_fran(arende_id: int, mote: Mote) -> int | None:
    """The item at the ärende's latest earlier meeting, if it was not reached there."""
    senaste = db.session.execute(
        select(Dagordningspunkt)
        .join(Mote, Mote.id == Dagordningspunkt.mote_id)
        .where(Dagordningspunkt.arende_id == arende_id, Dagordningspunkt.utfall.is_not(None),
               Mote.installt.is_(None), Mote.starttid < mote.starttid)
        .order_by(Mote.starttid.desc(), Dagordningspunkt.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return senaste.id if senaste is not None and senaste.utfall == UTFALL["bordlagg"] else None


def lagg_till(user: User, mote_id: int, arende_id: int) -> Dagordningspunkt:
    """Put an ärende on the agenda: the ärende goes to på agenda through the state machine
    (refused if its consent does not cover the meeting date). A handläggare's request for
    this meeting becomes the booked item. Refused beyond the capacity, counted under the
    meeting's row lock."""
    mote = _mote(user, mote_id, andra=True, las=True)
    if not pagar_idag(mote):
        _agenda_kan_andras(mote)
    if mote.typ != MotesTyp.ARENDEDRAGNING:
        raise DomainError("planeringsmote", "Mötet är ett planeringsmöte utan ärendedragning.")
    arende = _arende_for(user, mote, arende_id)
    punkter = _punkter(mote)
    bokade = [p for p in punkter if p.status == PunktStatus.BOKAD]
    punkt = next((p for p in punkter if p.arende_id == arende.id), None)
    if punkt is not None and punkt.status == PunktStatus.BOKAD:
        raise DomainError("redan_pa_dagordningen", f"{arende.referens} finns redan på dagordningen.",
                          field="arende_id")
    tak = kapacitet(mote)
    if len(bokade) >= tak:
        raise DomainError("dagordningen_full",
                          f"Dagordningen är full ({len(bokade)} av {tak} ärenden). Ta bort ett ärende "
                          "eller höj mötets kapacitet först.", field="arende_id")
    uppfoljning = arende.status == wf.UPPFOLJNING
    # The item is booked first: the flow's guard reads the booked item and its meeting
    # (a refusal rolls the whole request back).
    if punkt is None:
        punkt = Dagordningspunkt(mote=mote, arende=arende, status=punktregler.forsta(PunktStatus.BOKAD))
        db.session.add(punkt)
    else:
        punktregler.byt(punkt, PunktStatus.BOKAD)
    punkt.uppfoljning = uppfoljning
    punkt.ordning = len(bokade) + 1
    punkt.overford_fran_id = _overford_fran(arende.id, mote)
    db.session.flush()
    arende_services.fire(user, arende.id, "placera_pa_agenda", version=None, kanal=wf.MOTE,
                         kommentar=f"Dagordningen för mötet {motesdatum(mote).isoformat()}.")
    # Requests for other meetings are answered by this booking.
    db.session.execute(
        delete(Dagordningspunkt).where(Dagordningspunkt.arende_id == arende.id,
                                       Dagordningspunkt.status == PunktStatus.ANMALD,
                                       Dagordningspunkt.mote_id != mote.id)
    )
    _agenda_andrad(user, mote, [*bokade, punkt], "lagg_till", ["dagordning"])
    return punkt


def _punkt(mote: Mote, punkt_id: int, punkter: list[Dagordningspunkt]) -> Dagordningspunkt:
    punkt = next((p for p in punkter if p.id == punkt_id), None)
    if punkt is None:
        raise NotFound("Punkten finns inte på mötets dagordning.")
    return punkt


def ta_bort(user: User, mote_id: int, punkt_id: int) -> None:
    """Take an item off the agenda before the meeting: the ärende goes back to the inbox
    (bordlagg). A handläggare's request is declined the same way, without a transition."""
    mote = _mote(user, mote_id, andra=True, las=True)
    _agenda_kan_andras(mote)
    punkter = _punkter(mote)
    punkt = _punkt(mote, punkt_id, punkter)
    if punkt.status == PunktStatus.ANMALD:
        db.session.delete(punkt)
        db.session.flush()
        audit.record("mote.anmalan.avsla", "mote", mote.id, user_id=user.id, falt=["anmalan"])
        return
    if punkt.arende.status == wf.PA_AGENDA:
        arende_services.fire(user, punkt.arende_id, "bordlagg", version=None, kanal=wf.MOTE,
                             kommentar=f"Togs bort från dagordningen för mötet {motesdatum(mote).isoformat()}.")
    db.session.delete(punkt)
    bokade = [p for p in punkter if p.status == PunktStatus.BOKAD and p.id != punkt.id]
    _agenda_andrad(user, mote, bokade, "ta_bort", ["dagordning"])


def flytta(user: User, mote_id: int, punkt_id: int, riktning: str) -> Dagordningspunkt:
    """Move an item one step up or down the agenda."""
    if riktning not in ("upp", "ned"):
        raise DomainError("ogiltig_riktning", "Välj upp eller ned.", field="riktning")
    mote = _mote(user, mote_id, andra=True, las=True)
    _agenda_kan_andras(mote)
    bokade = [p for p in _punkter(mote) if p.status == PunktStatus.BOKAD]
    punkt = _punkt(mote, punkt_id, bokade)
    i = bokade.index(punkt)
    j = i - 1 if riktning == "upp" else i + 1
    if not 0 <= j < len(bokade):
        raise DomainError("kan_inte_flytta", "Punkten är redan " + ("först." if riktning == "upp" else "sist."))
    bokade[i], bokade[j] = bokade[j], bokade[i]
    for n, p in enumerate(bokade, start=1):
        p.ordning = n
    _agenda_andrad(user, mote, bokade, "ordning", ["ordning"])
    return punkt


def andra_punkt(user: User, mote_id: int, punkt_id: int, *, langd_minuter: int | None,
                individen_medverkar: bool) -> Dagordningspunkt:
    """An item's length (None: the default share of the meeting) and whether the
    individual takes part; the time slots after it follow."""
    mote = _mote(user, mote_id, andra=True, las=True)
    _agenda_kan_andras(mote)
    bokade = [p for p in _punkter(mote) if p.status == PunktStatus.BOKAD]
    punkt = _punkt(mote, punkt_id, bokade)
    if langd_minuter is not None and not MIN_LANGD <= langd_minuter <= mote.langd_minuter:
        raise DomainError("ogiltig_langd", f"Punktens längd ska vara mellan {MIN_LANGD} och "
                          f"{mote.langd_minuter} minuter.", field="langd_minuter")
    falt = [k for k, v in (("langd_minuter", langd_minuter), ("individen_medverkar", individen_medverkar))
            if getattr(punkt, k) != v]
    if not falt:
        return punkt
    punkt.langd_minuter = langd_minuter
    punkt.individen_medverkar = individen_medverkar
    _agenda_andrad(user, mote, bokade, "punkt", falt)
    return punkt


def anmal(user: User, mote_id: int, arende_id: int) -> Dagordningspunkt:
    """A handläggare asks for a place for their ärende (aktualiserad or due for
    uppföljning) until the agenda deadline. The ärende's state does not change; the
    projektledare books it."""
    mote = _mote(user, mote_id, las=True)
    arende = _arende_for(user, mote, arende_id)
    if not policy.may_anmala(user, arende):
        raise Forbidden("Bara handläggaren som aktualiserade ärendet kan anmäla det till ett möte.")
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


def avsluta_dagordning(user: User, mote_id: int) -> list[Dagordningspunkt]:
    """After the meeting: record each item's outcome from what happened to its ärende.
    Items still på agenda were not reached: marked bordlagd, and their ärenden go back to
    the inbox (bordlagg), where they show as carried over. Returns the items not reached."""
    mote = _mote(user, mote_id, andra=True, las=True)
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är inställt.")
    if not ar_passerat(mote):
        raise DomainError("mote_ej_hallet", "Mötet har inte börjat ännu.")
    bokade = [p for p in _punkter(mote) if p.status == PunktStatus.BOKAD and p.utfall is None]
    ej_hunna = []
    if bokade:
        handelser = _handelser_efter_placering([p.arende_id for p in bokade])
        kommentar = f"Hanns inte på mötet {motesdatum(mote).isoformat()}; överförs till inkorgen."
        for punkt in bokade:
            if punkt.arende.status == wf.PA_AGENDA:
                _bordlagg(user, punkt, kommentar)
                ej_hunna.append(punkt)
            else:
                trigger = handelser.get(punkt.arende_id)
                punkt.utfall = UTFALL.get(trigger, "bordlagd" if trigger is None else trigger[:20])
    db.session.flush()
    audit.record("mote.dagordning.avsluta", "mote", mote.id, user_id=user.id, falt=["utfall"])
    return ej_hunna


def _handelser_efter_placering(arende_ids: list[int]) -> dict[int, str]:
    """Per ärende, the trigger that took it off its latest agenda (one query)."""
    rows = db.session.execute(
        select(ArendeHandelse.arende_id, ArendeHandelse.trigger, ArendeHandelse.fran_status)
        .where(ArendeHandelse.arende_id.in_(arende_ids))
        .order_by(ArendeHandelse.arende_id, ArendeHandelse.id)
    ).all()
    senaste: dict[int, str] = {}
    for arende_id, trigger, fran in rows:
        if fran == wf.PA_AGENDA:
            senaste[arende_id] = trigger
    return senaste


# --- the invitation letter ----------------------------------------------------------------


@dataclass
class Inbjudan:
    mote: Mote
    punkt: Dagordningspunkt
    parter: list[tuple[str, list[str]]]  # (kind of party, its units on the team)
    handlaggare: User
    aktualiserande_part: Part

    @property
    def klockan(self) -> dt.time:
        return self.punkt.tidslucka or clock.local(self.mote.starttid).time()

    @property
    def langd(self) -> int:
        return punktlangd(self.mote, self.punkt)


def inbjudan(user: User, mote_id: int, punkt_id: int) -> Inbjudan:
    """What the letter to the individual says: when, where, what the meeting is and which
    parties take part. Nothing from the case: the individual knows their own matter."""
    mote = _mote(user, mote_id)
    punkt = _punkt(mote, punkt_id, [p for p in _punkter(mote) if p.status == PunktStatus.BOKAD])
    if not policy.may_print_inbjudan(user, punkt.arende):
        raise Forbidden("Inbjudan skrivs ut av handläggaren som aktualiserade ärendet eller av projektledaren.")
    if not punkt.individen_medverkar:
        raise DomainError("ej_inbjuden", "Individen är inte inbjuden till mötet för den här punkten. "
                          "Markera ”Individen medverkar” på dagordningen först.", status=409)
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är inställt.", status=409)
    rows = db.session.execute(
        select(Part)
        .where(Part.id.in_(select(User.part_id).join(Medlemskap, Medlemskap.user_id == User.id)
                           .where(Medlemskap.team_id == mote.team_id, Medlemskap.roll == TeamRoll.LEDAMOT)))
        .order_by(Part.typ, svensk_ordning(Part.namn))
    ).scalars().all()
    per_typ: dict[PartTyp, list[str]] = {}
    for part in rows:
        per_typ.setdefault(part.typ, []).append(part.namn)
    parter = [(typ.label, namn) for typ, namn in sorted(per_typ.items(), key=lambda kv: list(PartTyp).index(kv[0]))]
    audit.record("mote.inbjudan", "dagordningspunkt", punkt.id, user_id=user.id, falt=["inbjudan"])
    return Inbjudan(mote=mote, punkt=punkt, parter=parter, handlaggare=punkt.arende.handlaggare,
                    aktualiserande_part=punkt.arende.aktualiserande_part)
