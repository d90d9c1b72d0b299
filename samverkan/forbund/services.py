"""The förbund runs itself: set-up from an empty database, parties, teams and their rules,
members (invitation, roles, deactivation, reassignment), samcoach capacity and the CSV
import of members.

Every function takes the acting admin first and checks access through ``auth.policy``;
anything of another förbund is "not found" (404). They validate the whole input before
they change anything, change and flush and audit, and never commit: the page, the CLI
command or (later) the API endpoint commits once. An API endpoint is a thin call to
these functions.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass, field

from sqlalchemy import func, null, select, union_all, update

from samverkan.arenden.models import Arende
from samverkan.auth import konto, policy
from samverkan.auth import services as auth_services
from samverkan.auth.models import LankSyfte, User
from samverkan.core import audit
from samverkan.core.db import db
from samverkan.core.errors import DomainError, Valideringsfel
from samverkan.forbund.models import (
    Forbund,
    ForbundRoll,
    ForbundsRollTilldelning,
    Medlemskap,
    Part,
    PartTyp,
    Team,
    TeamPartHistorik,
    TeamRoll,
    TeamTyp,
    team_part,
)
from samverkan.forbund.standardlistor import skapa_standardlistor
from workflows import arende as wf

log = logging.getLogger(__name__)

EPOST = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
KOD = re.compile(r"^[A-ZÅÄÖ]{2,8}$")
ORDNINGAR = (1, 2, 3, 4, -1)
ROLL_LABELS = {
    TeamRoll.PROJEKTLEDARE: "Projektledare",
    TeamRoll.LEDAMOT: "Ledamot",
    TeamRoll.ERSATTARE: "Ersättare",
    TeamRoll.SAMCOACH: "Samcoach",
}
# The CSV's words for the roles (lower case, with and without å/ä/ö).
_CSV_ROLLER = {"projektledare": TeamRoll.PROJEKTLEDARE, "ledamot": TeamRoll.LEDAMOT,
               "ersättare": TeamRoll.ERSATTARE, "ersattare": TeamRoll.ERSATTARE,
               "samcoach": TeamRoll.SAMCOACH}
CSV_KOLUMNER = ("namn", "epost", "part", "team", "roll", "ersatter")
MAX_CSV_RADER = 1000


# --- set-up from an empty database ------------------------------------------------------


def finns_forbund() -> bool:
    return db.session.execute(select(Forbund.id).limit(1)).first() is not None


def _epost(value: str | None, falt: str = "epost") -> str:
    epost = (value or "").strip().lower()
    if not EPOST.match(epost) or len(epost) > 254:
        raise DomainError("ogiltig_epost", "Ange en giltig e-postadress, t.ex. namn@exempel.se.", field=falt)
    return epost


def _ledig_epost(epost: str, falt: str = "epost") -> None:
    if db.session.execute(select(User.id).where(User.epost == epost)).first():
        raise DomainError("epost_finns", "Det finns redan en användare med den e-postadressen.", field=falt)


def _namn(value: str | None, falt: str, label: str, max_langd: int = 200) -> str:
    namn = " ".join((value or "").split())
    if not namn:
        raise DomainError("saknas", f"Ange {label}.", field=falt)
    if len(namn) > max_langd:
        raise DomainError("for_langt", f"Högst {max_langd} tecken.", field=falt)
    return namn


def skapa_forbund(*, namn: str, kod: str, admin_namn: str, admin_epost: str,
                  losenord: str | None = None) -> tuple[Forbund, User]:
    """A new förbund and its first admin (the CLI's ``setup`` and the first visit's page).
    Without a password the admin gets an invitation link by mail instead."""
    fel: dict[str, str] = {}
    kod = (kod or "").strip().upper()
    for falt, check in (
        ("namn", lambda: _namn(namn, "namn", "förbundets namn")),
        ("kod", lambda: None if KOD.match(kod) else (_ for _ in ()).throw(DomainError(
            "ogiltig_kod", "Koden är 2–8 versaler, t.ex. EXB. Den inleder varje ärendes referens.", field="kod"))),
        ("admin_namn", lambda: _namn(admin_namn, "admin_namn", "administratörens namn")),
        ("admin_epost", lambda: _ledig_epost(_epost(admin_epost, "admin_epost"), "admin_epost")),
    ):
        try:
            check()
        except DomainError as error:
            fel[falt] = error.message
    if losenord is not None and len(losenord) < auth_services.MIN_PASSWORD_LENGTH:
        fel["losenord"] = f"Lösenordet måste ha minst {auth_services.MIN_PASSWORD_LENGTH} tecken."
    namn = " ".join((namn or "").split())
    if "namn" not in fel and db.session.execute(select(Forbund.id).where(Forbund.namn == namn)).first():
        fel["namn"] = "Det finns redan ett förbund med det namnet."
    if "kod" not in fel and db.session.execute(select(Forbund.id).where(Forbund.kod == kod)).first():
        fel["kod"] = "Koden används redan av ett annat förbund."
    if fel:
        raise Valideringsfel(fel)
    forbund = Forbund(namn=namn, kod=kod)
    db.session.add(forbund)
    skapa_standardlistor(forbund)
    db.session.flush()
    admin = User(forbund_id=forbund.id, epost=admin_epost.strip().lower(), namn=" ".join(admin_namn.split()))
    if losenord is not None:
        auth_services.set_password(admin, losenord)
    db.session.add(admin)
    db.session.flush()
    db.session.add(ForbundsRollTilldelning(forbund_id=forbund.id, user_id=admin.id, roll=ForbundRoll.ADMIN))
    audit.record("forbund.skapa", "forbund", forbund.id, user_id=admin.id, falt=["namn", "kod"])
    audit.record("anvandare.skapa", "anvandare", admin.id, user_id=admin.id, falt=["epost", "namn", "roll"])
    if losenord is None:
        konto.skicka_lank(admin, LankSyfte.INBJUDAN, av_id=admin.id)
    return forbund, admin


# --- lookups within the admin's förbund -------------------------------------------------


def _forbund(admin: User) -> Forbund:
    policy.require_admin(admin)
    return db.session.get(Forbund, admin.forbund_id)


def get_part(admin: User, part_id: int) -> Part:
    return policy.require_admin_over(admin, db.session.get(Part, part_id), "Parten finns inte.")


def get_team(admin: User, team_id: int) -> Team:
    return policy.require_admin_over(admin, db.session.get(Team, team_id), "Teamet finns inte.")


def get_anvandare(admin: User, user_id: int) -> User:
    return policy.require_admin_over(admin, db.session.get(User, user_id), "Användaren finns inte.")


def list_parter(admin: User) -> list[Part]:
    forbund = _forbund(admin)
    return list(db.session.execute(select(Part).where(Part.forbund_id == forbund.id)
                                   .order_by(Part.typ, Part.namn)).scalars())


def list_teams(admin: User) -> list[Team]:
    forbund = _forbund(admin)
    return list(db.session.execute(select(Team).where(Team.forbund_id == forbund.id).order_by(Team.namn))
                .scalars())


def list_anvandare(admin: User) -> list[User]:
    forbund = _forbund(admin)
    return list(db.session.execute(select(User).where(User.forbund_id == forbund.id)
                                   .order_by(User.aktiv.desc(), User.namn)).scalars())


# --- parties ----------------------------------------------------------------------------


def _part_typ(value) -> PartTyp:
    try:
        return value if isinstance(value, PartTyp) else PartTyp(value)
    except ValueError:
        raise DomainError("ogiltig_typ", "Välj vilken sorts part det är.", field="typ") from None


def spara_part(admin: User, *, typ, namn: str, kortnamn: str = "", part_id: int | None = None) -> Part:
    """Create a party, or change one (``part_id``). A kommun's units (IFO, AMI …) are
    separate parties of type kommun."""
    forbund = _forbund(admin)
    part = get_part(admin, part_id) if part_id is not None else None
    fel: dict[str, str] = {}
    try:
        typ = _part_typ(typ)
    except DomainError as error:
        fel["typ"] = error.message
    try:
        namn = _namn(namn, "namn", "partens namn")
    except DomainError as error:
        fel["namn"] = error.message
    kortnamn = " ".join((kortnamn or "").split())
    if len(kortnamn) > 40:
        fel["kortnamn"] = "Högst 40 tecken."
    if "namn" not in fel:
        finns = db.session.execute(select(Part.id).where(Part.forbund_id == forbund.id, Part.namn == namn,
                                                         Part.id != (part.id if part else -1))).first()
        if finns:
            fel["namn"] = "Förbundet har redan en part med det namnet."
    if fel:
        raise Valideringsfel(fel)
    if part is None:
        part = Part(forbund_id=forbund.id, typ=typ, namn=namn, kortnamn=kortnamn)
        db.session.add(part)
        db.session.flush()
        audit.record("part.skapa", "part", part.id, user_id=admin.id, falt=["typ", "namn", "kortnamn"])
    else:
        andrade = [f for f, v in (("typ", typ), ("namn", namn), ("kortnamn", kortnamn)) if getattr(part, f) != v]
        part.typ, part.namn, part.kortnamn = typ, namn, kortnamn
        db.session.flush()
        audit.record("part.andra", "part", part.id, user_id=admin.id, falt=andrade)
    return part


# --- teams ------------------------------------------------------------------------------


@dataclass
class TeamRegler:
    """A team's name, kind, parties and rules as the admin gives them."""

    namn: str = ""
    typ: str | TeamTyp = TeamTyp.TRISAM
    part_ids: list[int] = field(default_factory=list)
    motesveckodag: int | None = 1
    motesordning: int | None = 2
    motestid: dt.time | None = dt.time(13, 0)
    moteslangd_minuter: int | None = 120
    motesplats: str = ""
    motesplats_video: str = ""
    uppehall_manader: list[int] = field(default_factory=lambda: [7])
    planeringsmanader: list[int] = field(default_factory=list)
    agendakapacitet: int | None = 6
    minuter_per_arende: int | None = None
    # "dagar" (kallelse_dagar_fore days before at 09:00) or "fredag" (Friday of the week before).
    kallelseregel: str = "dagar"
    kallelse_dagar_fore: int | None = 7
    anmalan_dagar_fore_kallelse: int | None = 2
    paminnelse_dagar_fore_anmalan: int | None = 2


def _manader(varden, falt: str, fel: dict[str, str]) -> str:
    try:
        manader = sorted({int(v) for v in varden or []})
    except (TypeError, ValueError):
        manader = [0]
    if any(m not in range(1, 13) for m in manader):
        fel[falt] = "Välj månader från listan."
    return ",".join(str(m) for m in manader)


def _heltal(value, falt: str, lagst: int, hogst: int, meddelande: str, fel: dict[str, str]) -> int | None:
    if value is None or not isinstance(value, int) or not lagst <= value <= hogst:
        fel[falt] = meddelande
        return None
    return value


def spara_team(admin: User, regler: TeamRegler, *, team_id: int | None = None) -> Team:
    """Create a team or change one: name, kind, which of the förbund's parties sit in it
    (any subset, at least one) and its rules. Future meetings' due times follow a changed
    kallelse rule."""
    forbund = _forbund(admin)
    team = get_team(admin, team_id) if team_id is not None else None
    fel: dict[str, str] = {}
    try:
        namn = _namn(regler.namn, "namn", "teamets namn")
    except DomainError as error:
        fel["namn"] = error.message
        namn = ""
    if namn and db.session.execute(select(Team.id).where(Team.forbund_id == forbund.id, Team.namn == namn,
                                                         Team.id != (team.id if team else -1))).first():
        fel["namn"] = "Förbundet har redan ett team med det namnet."
    try:
        typ = regler.typ if isinstance(regler.typ, TeamTyp) else TeamTyp(regler.typ)
    except ValueError:
        fel["typ"] = "Välj vilken sorts team det är."
        typ = None
    part_ids = {int(p) for p in regler.part_ids or []}
    parter = list(db.session.execute(select(Part).where(Part.id.in_(part_ids), Part.forbund_id == forbund.id))
                  .scalars()) if part_ids else []
    if not parter:
        fel["part_ids"] = "Välj minst en part som sitter i teamet."
    elif len(parter) != len(part_ids):
        fel["part_ids"] = "Välj parter från förbundets lista."
    veckodag = _heltal(regler.motesveckodag, "motesveckodag", 0, 6, "Välj en veckodag.", fel)
    if regler.motesordning not in ORDNINGAR:
        fel["motesordning"] = "Välj vilken veckodag i månaden (första–fjärde eller sista)."
    if regler.motestid is None:
        fel["motestid"] = "Ange mötets starttid, t.ex. 13:00."
    langd = _heltal(regler.moteslangd_minuter, "moteslangd_minuter", 15, 600,
                    "Mötets längd är 15–600 minuter.", fel)
    plats = (regler.motesplats or "").strip()
    if len(plats) > 300:
        fel["motesplats"] = "Högst 300 tecken."
    video = (regler.motesplats_video or "").strip()
    if video and not re.match(r"^https?://\S+$", video, re.IGNORECASE):
        fel["motesplats_video"] = "Videolänken ska börja med https:// (eller http://)."
    elif len(video) > 500:
        fel["motesplats_video"] = "Högst 500 tecken."
    uppehall = _manader(regler.uppehall_manader, "uppehall_manader", fel)
    if len([m for m in uppehall.split(",") if m]) == 12:
        fel["uppehall_manader"] = "Minst en månad måste ha möte."
    planering = _manader(regler.planeringsmanader, "planeringsmanader", fel)
    kapacitet = _heltal(regler.agendakapacitet, "agendakapacitet", 1, 50,
                        "Ange hur många ärenden ett möte rymmer (1–50).", fel)
    per_arende = regler.minuter_per_arende
    if per_arende is not None:
        per_arende = _heltal(per_arende, "minuter_per_arende", 5, 240, "Tid per ärende är 5–240 minuter.", fel)
    if regler.kallelseregel == "fredag":
        kallelse_dagar = None
    elif regler.kallelseregel == "dagar":
        kallelse_dagar = _heltal(regler.kallelse_dagar_fore, "kallelse_dagar_fore", 1, 60,
                                 "Ange hur många dagar före mötet kallelsen går ut (1–60).", fel)
    else:
        fel["kallelseregel"] = "Välj när kallelsen går ut."
        kallelse_dagar = None
    deadline = _heltal(regler.anmalan_dagar_fore_kallelse, "anmalan_dagar_fore_kallelse", 0, 14,
                       "Ange sista anmälningsdag som 0–14 dagar före kallelsen.", fel)
    paminnelse = _heltal(regler.paminnelse_dagar_fore_anmalan, "paminnelse_dagar_fore_anmalan", 1, 14,
                         "Ange påminnelsen som 1–14 dagar före sista anmälningsdag.", fel)
    if fel:
        raise Valideringsfel(fel)

    varden = {
        "namn": namn, "typ": typ, "motesveckodag": veckodag, "motesordning": regler.motesordning,
        "motestid": regler.motestid, "moteslangd_minuter": langd, "motesplats": plats,
        "motesplats_video": video, "uppehall_manader": uppehall, "planeringsmanader": planering,
        "agendakapacitet": kapacitet, "minuter_per_arende": per_arende, "kallelse_dagar_fore": kallelse_dagar,
        "anmalan_dagar_fore_kallelse": deadline, "paminnelse_dagar_fore_anmalan": paminnelse,
    }
    ny = team is None
    if ny:
        team = Team(forbund_id=forbund.id, **varden)
        db.session.add(team)
        andrade = [*varden, "parter"]
    else:
        andrade = [f for f, v in varden.items() if getattr(team, f) != v]
        if {p.id for p in team.parter} != part_ids:
            andrade.append("parter")
            _dagteckna_parter(team, {p.id for p in team.parter}, part_ids)
        for f, v in varden.items():
            setattr(team, f, v)
    team.parter = sorted(parter, key=lambda p: p.namn)
    db.session.flush()
    if not ny and {"kallelse_dagar_fore", "anmalan_dagar_fore_kallelse"} & set(andrade):
        _planera_om(team)
    audit.record("team.skapa" if ny else "team.andra", "team", team.id, user_id=admin.id, falt=andrade)
    return team


def _dagteckna_parter(team: Team, fore: set[int], efter: set[int]) -> None:
    """Date the change of a team's parties (``TeamPartHistorik``): a party that leaves
    sat until today, one that joins sits from today. A team's first parties need no row:
    they sat since the team began."""
    from samverkan.core import clock

    idag = clock.today()
    oppna = {h.part_id: h for h in db.session.execute(
        select(TeamPartHistorik).where(TeamPartHistorik.team_id == team.id, TeamPartHistorik.till.is_(None))
    ).scalars()}
    for part_id in sorted(fore - efter):
        rad = oppna.get(part_id)
        if rad is None:  # sat since the team began
            db.session.add(TeamPartHistorik(team_id=team.id, part_id=part_id, fran=None, till=idag))
        elif rad.fran is not None and rad.fran >= idag:  # joined today and left again: never sat
            db.session.delete(rad)
        else:
            rad.till = idag
    for part_id in sorted(efter - fore):
        db.session.add(TeamPartHistorik(team_id=team.id, part_id=part_id, fran=idag, till=None))


def team_part_perioder(team_ids: list[int]) -> dict[int, list[tuple[int, dt.date | None, dt.date | None]]]:
    """When each party sat in each of the teams: team id → [(part id, first day or None,
    first day it no longer sat or None)], in one statement. A party of the team today
    without an open dated period sat since the team began."""
    if not team_ids:
        return {}
    historik = select(TeamPartHistorik.team_id, TeamPartHistorik.part_id, TeamPartHistorik.fran,
                      TeamPartHistorik.till).where(TeamPartHistorik.team_id.in_(team_ids))
    odaterade = select(team_part.c.team_id, team_part.c.part_id, null().label("fran"), null().label("till")).where(
        team_part.c.team_id.in_(team_ids),
        ~select(TeamPartHistorik.id).where(TeamPartHistorik.team_id == team_part.c.team_id,
                                           TeamPartHistorik.part_id == team_part.c.part_id,
                                           TeamPartHistorik.till.is_(None)).exists())
    ut: dict[int, list] = {t: [] for t in team_ids}
    for team_id, part_id, fran, till in db.session.execute(union_all(historik, odaterade)):
        ut[team_id].append((part_id, fran, till))
    return ut


def _planera_om(team: Team) -> None:
    """Future meetings whose kallelse has not gone out follow the team's new rule."""
    from samverkan.core import clock
    from samverkan.kallelser import regler
    from samverkan.moten.models import Mote

    for mote in db.session.execute(select(Mote).where(
            Mote.team_id == team.id, Mote.starttid > clock.now(), Mote.kallelse_skickad.is_(None),
            Mote.installt.is_(None))).scalars():
        regler.planera(mote)


def generera_moten(admin: User, team_id: int, *, startmanad: dt.date):
    """A year of meetings by the team's calendar rule (planning months as planning
    meetings); idempotent, as ``moten.motesar.generera_ar``."""
    from samverkan.moten.models import MotesTyp
    from samverkan.moten.motesar import Generering, generera_for_team

    team = get_team(admin, team_id)
    uppehall = {int(m) for m in team.uppehall_manader.split(",") if m}
    planering = {int(m) for m in team.planeringsmanader.split(",") if m}
    gemensamt = {"veckodag": team.motesveckodag, "ordning": team.motesordning, "klockslag": team.motestid,
                 "startmanad": startmanad, "plats": team.motesplats, "videolank": team.motesplats_video,
                 "langd_minuter": team.moteslangd_minuter}
    resultat = (generera_for_team(admin, team, uppehall=uppehall | planering, **gemensamt)
                if len(uppehall | planering) < 12 else Generering())
    if planering - uppehall:
        andra = generera_for_team(admin, team, uppehall=set(range(1, 13)) - (planering - uppehall),
                                  typ=MotesTyp.PLANERING, **gemensamt)
        resultat.skapade += andra.skapade
        resultat.fanns_redan += andra.fanns_redan
        resultat.passerade += andra.passerade
    audit.record("team.generera_moten", "team", team.id, user_id=admin.id)
    return resultat


# --- members ----------------------------------------------------------------------------


def bjud_in(admin: User, *, namn: str, epost: str, part_id: int | None = None) -> User:
    """A new member: the account, and a one-time link by mail to choose a password."""
    forbund = _forbund(admin)
    fel: dict[str, str] = {}
    try:
        namn = _namn(namn, "namn", "namnet")
    except DomainError as error:
        fel["namn"] = error.message
    try:
        epost = _epost(epost)
        _ledig_epost(epost)
    except DomainError as error:
        fel["epost"] = error.message
    part = None
    if part_id:
        part = db.session.get(Part, part_id)
        if part is None or part.forbund_id != forbund.id:
            fel["part_id"] = "Välj en part från förbundets lista."
    if fel:
        raise Valideringsfel(fel)
    user = User(forbund_id=forbund.id, epost=epost, namn=namn, part_id=part.id if part else None)
    db.session.add(user)
    db.session.flush()
    audit.record("anvandare.skapa", "anvandare", user.id, user_id=admin.id, falt=["epost", "namn", "part_id"])
    konto.skicka_lank(user, LankSyfte.INBJUDAN, av_id=admin.id)
    return user


def koad_inbjudan(admin: User, user_id: int) -> str | None:
    """The link of a member's latest invitation, while the installation sends no mail
    (no SMTP_HOST: the outbox keeps it) and the member has not chosen a password yet: the
    admin hands it over another way. With mail configured it is never shown."""
    from flask import current_app

    from samverkan.kallelser.models import Utskick, UtskickTyp

    user = get_anvandare(admin, user_id)
    if current_app.config.get("SMTP_HOST") or user.losenord_hash or not user.aktiv:
        return None
    text = db.session.execute(select(Utskick.text).where(
        Utskick.mottagare_id == user.id, Utskick.typ == UtskickTyp.INBJUDAN).order_by(Utskick.id.desc()).limit(1)
    ).scalar()
    match = re.search(r"https?://\S+/konto/valj-losenord/\S+", text or "")
    return match.group(0) if match else None


def skicka_ny_inbjudan(admin: User, user_id: int) -> None:
    user = get_anvandare(admin, user_id)
    if not user.aktiv:
        raise DomainError("inaktiv", "Kontot är avslutat och kan inte bjudas in igen.")
    konto.skicka_lank(user, LankSyfte.INBJUDAN, av_id=admin.id)


def andra_part_for(admin: User, user_id: int, part_id: int | None) -> User:
    user = get_anvandare(admin, user_id)
    if part_id:
        get_part(admin, part_id)
    user.part_id = part_id or None
    audit.record("anvandare.andra", "anvandare", user.id, user_id=admin.id, falt=["part_id"])
    return user


def satt_roll(admin: User, *, user_id: int, team_id: int | None, roll, ersatter_id: int | None = None,
              kapacitet: int | None = None) -> Medlemskap:
    """Give a member a role in a team: projektledare, ledamot for their party (which must
    sit in the team), ersättare for a named ledamot of the same party, or samcoach."""
    user = get_anvandare(admin, user_id)
    fel: dict[str, str] = {}
    team = None
    if team_id:
        team = get_team(admin, team_id)
    else:
        fel["team_id"] = "Välj ett team."
    try:
        roll = roll if isinstance(roll, TeamRoll) else TeamRoll(roll)
    except ValueError:
        fel["roll"] = "Välj en roll."
        roll = None
    if not user.aktiv:
        fel["roll"] = "Kontot är avslutat och kan inte få nya roller."
    ersatter = None
    if team is not None and roll in (TeamRoll.LEDAMOT, TeamRoll.ERSATTARE):
        if user.part_id is None:
            fel["roll"] = "Ge användaren en part först: ledamöter och ersättare företräder en part."
        elif user.part_id not in {p.id for p in team.parter}:
            fel["roll"] = "Användarens part sitter inte i teamet. Lägg till parten i teamet först."
    if team is not None and roll == TeamRoll.ERSATTARE:
        ersatter = db.session.get(Medlemskap, ersatter_id) if ersatter_id else None
        if ersatter is None or ersatter.team_id != team.id or ersatter.roll != TeamRoll.LEDAMOT:
            fel["ersatter_id"] = "Välj vilken ledamot i teamet ersättaren ersätter."
        elif ersatter.user.part_id != user.part_id:
            fel["ersatter_id"] = "En ersättare ersätter en ledamot från sin egen part."
    if roll == TeamRoll.SAMCOACH and kapacitet is not None and not 0 <= kapacitet <= 100:
        fel["kapacitet"] = "Ange kapaciteten som 0–100 pågående ärenden."
    if team is not None and roll is not None and "roll" not in fel and db.session.execute(
            select(Medlemskap.id).where(Medlemskap.team_id == team.id, Medlemskap.user_id == user.id,
                                        Medlemskap.roll == roll)).first():
        fel["roll"] = "Användaren har redan den rollen i teamet."
    if fel:
        raise Valideringsfel(fel)
    if roll == TeamRoll.SAMCOACH and kapacitet is None:
        # One capacity per coach, across teams: a new team takes the coach's present one.
        kapacitet = db.session.execute(select(Medlemskap.kapacitet).where(
            Medlemskap.user_id == user.id, Medlemskap.roll == TeamRoll.SAMCOACH).limit(1)).scalar()
    m = Medlemskap(team_id=team.id, user_id=user.id, roll=roll, ersatter=ersatter,
                   kapacitet=kapacitet if roll == TeamRoll.SAMCOACH else None)
    db.session.add(m)
    db.session.flush()
    if roll == TeamRoll.SAMCOACH and kapacitet is not None:
        _satt_kapacitet(user.id, kapacitet)
    audit.record("medlemskap.skapa", "medlemskap", m.id, user_id=admin.id, falt=["team_id", "user_id", "roll"])
    return m


def ta_bort_roll(admin: User, medlemskap_id: int) -> None:
    m = db.session.get(Medlemskap, medlemskap_id)
    policy.require_admin_over(admin, m.team if m else None, "Rollen finns inte.")
    if db.session.execute(select(Medlemskap.id).where(Medlemskap.ersatter_id == m.id)).first():
        raise DomainError("har_ersattare", "Ledamoten har en ersättare. Ta bort ersättarens roll först.")
    audit.record("medlemskap.ta_bort", "medlemskap", m.id, user_id=admin.id, falt=["team_id", "user_id", "roll"])
    db.session.delete(m)
    db.session.flush()


def _satt_kapacitet(user_id: int, kapacitet: int) -> None:
    db.session.execute(update(Medlemskap).where(Medlemskap.user_id == user_id,
                                                Medlemskap.roll == TeamRoll.SAMCOACH)
                       .values(kapacitet=kapacitet).execution_options(synchronize_session=False))


def satt_samcoach_kapacitet(admin: User, user_id: int, kapacitet: int | None) -> None:
    """One capacity per samcoach, counted across every team the coach serves."""
    user = get_anvandare(admin, user_id)
    if kapacitet is None or not 0 <= kapacitet <= 100:
        raise DomainError("ogiltig_kapacitet", "Ange kapaciteten som 0–100 pågående ärenden.", field="kapacitet")
    if not db.session.execute(select(Medlemskap.id).where(Medlemskap.user_id == user.id,
                                                          Medlemskap.roll == TeamRoll.SAMCOACH)).first():
        raise DomainError("ej_samcoach", "Användaren är inte samcoach i något team.", field="kapacitet")
    _satt_kapacitet(user.id, kapacitet)
    db.session.expire_all()
    audit.record("samcoach.kapacitet", "anvandare", user.id, user_id=admin.id, falt=["kapacitet"])


def avaktivera(admin: User, user_id: int) -> User:
    """The member has left: login, sessions, tokens and links end at once; the name stays
    in history. Their open ärenden are reassigned separately (``overfor_arenden``)."""
    user = get_anvandare(admin, user_id)
    if user.id == admin.id:
        raise DomainError("sig_sjalv", "Du kan inte avsluta ditt eget konto.")
    if not user.aktiv:
        raise DomainError("redan_inaktiv", "Kontot är redan avslutat.")
    konto.avaktivera(user, av_id=admin.id)
    return user


def oppna_arenden(user: User) -> list[Arende]:
    return list(db.session.execute(
        select(Arende).where(Arende.handlaggare_id == user.id, Arende.status.in_([wf.UTKAST, *wf.OPEN]))
        .order_by(Arende.id)).scalars())


def kollegor(admin: User, user: User) -> list[User]:
    """Who may take over a handläggare's ärenden: active users of the same party."""
    if user.part_id is None:
        return []
    return list(db.session.execute(select(User).where(
        User.forbund_id == admin.forbund_id, User.part_id == user.part_id, User.aktiv.is_(True),
        User.id != user.id).order_by(User.namn)).scalars())


def overfor_arenden(admin: User, fran_id: int, till_id: int | None) -> int:
    """A departing handläggare's open ärenden to a colleague of the same party. Only the
    handläggare changes: the consent (and so which parties share the case) stays as it
    was. Each ärende's move is audited."""
    fran = get_anvandare(admin, fran_id)
    till = db.session.get(User, till_id) if till_id else None
    if (till is None or till.forbund_id != admin.forbund_id or not till.aktiv or till.id == fran.id
            or fran.part_id is None or till.part_id != fran.part_id):
        raise DomainError("ogiltig_kollega", "Välj en aktiv kollega från samma part.", field="till_id")
    arenden = oppna_arenden(fran)
    for arende in arenden:
        arende.handlaggare_id = till.id
        audit.record("arende.overfor", "arende", arende.id, user_id=admin.id, falt=["handlaggare_id"])
    db.session.flush()
    return len(arenden)


# --- CSV import -------------------------------------------------------------------------


@dataclass
class ImportRad:
    nummer: int
    namn: str
    epost: str
    part: str
    team: str
    roll: str
    ersatter: str
    fel: list[str] = field(default_factory=list)


@dataclass
class Importresultat:
    rader: list[ImportRad]
    fel: list[str] = field(default_factory=list)  # about the file as a whole
    importerade: int = 0

    @property
    def ok(self) -> bool:
        return not self.fel and all(not r.fel for r in self.rader)


def _las_csv(text: str) -> tuple[list[dict[str, str]], list[str]]:
    text = text.lstrip("\ufeff")
    if not text.strip():
        return [], ["Filen är tom."]
    forsta = text.splitlines()[0]
    dialekt = ";" if forsta.count(";") > forsta.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=dialekt)
    kolumner = [(k or "").strip().lower() for k in reader.fieldnames or []]
    saknas = [k for k in CSV_KOLUMNER[:5] if k not in kolumner]
    if saknas:
        return [], [f"Filen saknar kolumnerna {', '.join(saknas)}. Första raden ska vara: "
                    f"{dialekt.join(CSV_KOLUMNER)}"]
    rader = []
    for rad in reader:
        rader.append({(k or "").strip().lower(): (v or "").strip() for k, v in rad.items() if k is not None})
        if len(rader) > MAX_CSV_RADER:
            return [], [f"Högst {MAX_CSV_RADER} rader per fil."]
    if not rader:
        return [], ["Filen har inga rader under rubrikraden."]
    return rader, []


def importera(admin: User, text: str, *, torrkorning: bool) -> Importresultat:
    """Members from CSV (namn, epost, part, team, roll, ersatter = the e-mail of the
    ledamot an ersättare stands in for). Every row is checked first; with any error, or
    as a dry run, nothing is saved. Each new person is invited by mail."""
    forbund = _forbund(admin)
    data, filfel = _las_csv(text)
    resultat = Importresultat(rader=[], fel=filfel)
    if filfel:
        return resultat
    parter = list_parter(admin)
    part_for = {p.namn.lower(): p for p in parter} | {p.kortnamn.lower(): p for p in parter if p.kortnamn}
    team_for = {t.namn.lower(): t for t in list_teams(admin)}
    befintliga = {e for (e,) in db.session.execute(select(User.epost))}
    personer: dict[str, tuple[str, Part | None]] = {}  # e-mail → (name, party) in the file
    ledamoter: dict[tuple[int, str], int] = {}  # (team id, ledamot's e-mail) → party id
    for team in team_for.values():
        for m in team.medlemskap:
            if m.roll == TeamRoll.LEDAMOT:
                ledamoter[(team.id, m.user.epost)] = m.user.part_id
    for i, d in enumerate(data, start=2):
        rad = ImportRad(i, d.get("namn", ""), d.get("epost", "").lower(), d.get("part", ""), d.get("team", ""),
                        d.get("roll", ""), d.get("ersatter", "").lower())
        resultat.rader.append(rad)
        if not rad.namn:
            rad.fel.append("Namn saknas.")
        if not EPOST.match(rad.epost):
            rad.fel.append("E-postadressen är inte giltig.")
        elif rad.epost in befintliga:
            rad.fel.append("Det finns redan en användare med den e-postadressen.")
        part = part_for.get(rad.part.lower()) if rad.part else None
        if rad.part and part is None:
            rad.fel.append(f"Parten ”{rad.part}” finns inte i förbundet.")
        if rad.epost in personer and (personer[rad.epost][0] != rad.namn or personer[rad.epost][1] != part):
            rad.fel.append("Samma e-postadress står med olika namn eller part på en tidigare rad.")
        personer.setdefault(rad.epost, (rad.namn, part))
        team = team_for.get(rad.team.lower())
        if team is None:
            rad.fel.append(f"Teamet ”{rad.team}” finns inte i förbundet." if rad.team else "Team saknas.")
        roll = _CSV_ROLLER.get(rad.roll.lower())
        if roll is None:
            rad.fel.append("Rollen ska vara projektledare, ledamot, ersättare eller samcoach.")
        if roll in (TeamRoll.LEDAMOT, TeamRoll.ERSATTARE):
            if part is None:
                rad.fel.append("En ledamot eller ersättare måste ha en part.")
            elif team is not None and part not in team.parter:
                rad.fel.append(f"Parten ”{rad.part}” sitter inte i teamet.")
        if roll == TeamRoll.LEDAMOT and team is not None and part is not None:
            ledamoter[(team.id, rad.epost)] = part.id
        if roll == TeamRoll.ERSATTARE and team is not None:
            if not rad.ersatter:
                rad.fel.append("Ange i kolumnen ersatter e-postadressen till ledamoten som ersättaren ersätter.")
            elif (team.id, rad.ersatter) not in ledamoter:
                rad.fel.append(f"{rad.ersatter} är inte ledamot i teamet (på en tidigare rad eller redan).")
            elif part is not None and ledamoter[(team.id, rad.ersatter)] != part.id:
                rad.fel.append("En ersättare ersätter en ledamot från sin egen part.")
    if torrkorning or not resultat.ok:
        return resultat

    anvandare: dict[str, User] = {}
    for rad in resultat.rader:
        if rad.epost not in anvandare:
            part = part_for.get(rad.part.lower()) if rad.part else None
            anvandare[rad.epost] = bjud_in(admin, namn=rad.namn, epost=rad.epost, part_id=part.id if part else None)
        team = team_for[rad.team.lower()]
        roll = _CSV_ROLLER[rad.roll.lower()]
        ersatter_id = None
        if roll == TeamRoll.ERSATTARE:
            ersatter_id = db.session.execute(
                select(Medlemskap.id).join(User, User.id == Medlemskap.user_id)
                .where(Medlemskap.team_id == team.id, Medlemskap.roll == TeamRoll.LEDAMOT,
                       func.lower(User.epost) == rad.ersatter)).scalar_one()
        satt_roll(admin, user_id=anvandare[rad.epost].id, team_id=team.id, roll=roll, ersatter_id=ersatter_id)
    resultat.importerade = len(anvandare)
    audit.record("anvandare.import", "forbund", forbund.id, user_id=admin.id, falt=["anvandare", "medlemskap"])
    return resultat
