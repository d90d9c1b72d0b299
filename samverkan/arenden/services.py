"""Ärende operations for the UI, the API and the CLI alike.

Each function checks access through the policy, changes and flushes, and audits; the
caller (view, API handler, command) commits once.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from sqlalchemy import Date, and_, bindparam, case, func, or_, select, type_coerce
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload, with_expression

from samverkan.anteckningar.models import Anteckning
from samverkan.arenden import kodlistor
from samverkan.arenden.flow import STALE_MESSAGE, ArendeFlow
from samverkan.arenden.models import Arende, ArendeHandelse, Referensserie
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db, rader
from samverkan.core.errors import Conflict, DomainError
from samverkan.core.html import sanitize_html
from samverkan.core.svenska import svensk_ordning
from samverkan.deltagare import personnummer as personnummer_mod
from samverkan.deltagare import services as deltagare_services
from samverkan.deltagare.models import Deltagare, Kon, Samtycke, samtycke_part
from samverkan.forbund.models import Forbund, Medlemskap, Part, Team
from samverkan.moten.models import Dagordningspunkt, Mote
from samverkan.samplanering.models import IndividensMal, IndividensNarvaro
from workflows import arende as wf


@dataclass
class Sida:
    """One page of a list."""

    rader: list
    sida: int
    per_sida: int
    totalt: int

    @property
    def sidor(self) -> int:
        return max(1, -(-self.totalt // self.per_sida))



def _next_referens(forbund: Forbund, year: int) -> str:
    serie = db.session.execute(
        select(Referensserie)
        .where(Referensserie.forbund_id == forbund.id, Referensserie.ar == year)
        .with_for_update()
    ).scalar_one_or_none()
    if serie is None:
        serie = Referensserie(forbund_id=forbund.id, ar=year, senaste=0)
        db.session.add(serie)
    serie.senaste += 1
    db.session.flush()
    return f"{forbund.kod}-{year}-{serie.senaste:03d}"


next_referens = _next_referens  # for other domains' services (återaktualisering)


def _check_kod(value: str | None, kodlista: dict, field: str, label: str) -> str | None:
    if value in (None, ""):
        return None
    if value not in kodlista:
        raise DomainError("ogiltigt_val", f"Välj {label} från listan.", field=field)
    return value


def create_utkast(
    user: User,
    *,
    team_id: int,
    fragestallning: str,
    kon: str,
    personnummer: str | None = None,
    anonym_kod: str | None = None,
    fodelsear: int | None = None,
    forsorjning_start: str | None = None,
    sysselsattning_start: str | None = None,
    utbildningsniva: str | None = None,
    tid_i_offentligt_stod: str | None = None,
    samtycke: dict | None = None,
) -> Arende:
    """A new ärende in state utkast, brought by ``user`` on behalf of their party.

    ``samtycke`` (the keyword arguments of ``register_samtycke``) registers the consent
    in the same transaction, so a refused consent leaves no half-made draft behind.
    """
    team = policy.require_team_medlem(user, db.session.get(Team, team_id))
    policy.require_aktualisera_i(user, team.id)
    if user.part_id is None:
        raise DomainError("part_saknas", "Ditt konto är inte kopplat till någon part.")
    deltagare = deltagare_services.find_or_create(
        user.forbund_id, user_id=user.id, kon=kon, personnummer_raw=personnummer,
        anonym_kod=anonym_kod, fodelsear=fodelsear,
    )
    arende = Arende(
        forbund_id=user.forbund_id,
        team_id=team.id,
        deltagare_id=deltagare.id,
        referens=_next_referens(team.forbund, clock.today().year),
        aktualiserande_part_id=user.part_id,
        handlaggare_id=user.id,
        fragestallning=sanitize_html(fragestallning),
        # Kept on the ärende as entered: an existing person's stored values are not shown.
        uppgiven_kon=Kon(kon),
        uppgivet_fodelsear=None if personnummer else fodelsear,
        forsorjning_start=_check_kod(forsorjning_start, kodlistor.FORSORJNING,
                                     "forsorjning_start", "försörjning"),
        sysselsattning_start=_check_kod(sysselsattning_start, kodlistor.SYSSELSATTNING,
                                        "sysselsattning_start", "sysselsättning"),
        utbildningsniva=_check_kod(utbildningsniva, kodlistor.UTBILDNINGSNIVA,
                                   "utbildningsniva", "utbildningsnivå"),
        tid_i_offentligt_stod=_check_kod(tid_i_offentligt_stod, kodlistor.TID_I_OFFENTLIGT_STOD,
                                         "tid_i_offentligt_stod", "tid i offentligt stöd"),
    )
    db.session.add(arende)
    db.session.flush()
    audit.record("arende.skapa", "arende", arende.id, user_id=user.id,
                 falt=["deltagare", "fragestallning", "forsorjning_start", "sysselsattning_start",
                       "utbildningsniva", "tid_i_offentligt_stod"])
    if samtycke is not None:
        deltagare_services.register_samtycke(arende.id, user_id=user.id, forbund_id=user.forbund_id,
                                             **samtycke)
        db.session.expire(arende, ["samtycken"])
    return arende


# The case page's ärende with what the page shows of its relations, in one statement
# rather than one lazy load each while the template renders (the access rule runs it:
# ``policy.regel(ladda=…)``, with the ärende's id as ``id``). The consents and their
# parties are joined in a chain (``contains_eager``): joinedload renders a many-to-many
# as ``LEFT JOIN (samtycke_part JOIN part) ON …``, which SQLite materialises by reading
# the whole samtycke_part table on every request, and a selectinload's second statement
# cost ≈0.6 ms of CPU a page (issue 19).
_SENARE = aliased(Arende)
SIDANS_SATS = (
    select(Arende).where(Arende.id == bindparam("id"))
    .outerjoin(Arende.samtycken)
    .outerjoin(samtycke_part, samtycke_part.c.samtycke_id == Samtycke.id)
    .outerjoin(Part, Part.id == samtycke_part.c.part_id)
    .options(joinedload(Arende.team), joinedload(Arende.deltagare),
             joinedload(Arende.aktualiserande_part), joinedload(Arende.handlaggare),
             contains_eager(Arende.samtycken).contains_eager(Samtycke.parter),
             # Each asks for an id, not ``*``: the index answers it alone. With
             # ``SELECT *`` SQLite scans the ärenden for a later one, since its
             # statistics count the NULLs of foregaende_arende_id as one value.
             with_expression(Arende.har_anteckningar,
                             select(Anteckning.id).where(Anteckning.arende_id == Arende.id).exists()),
             with_expression(Arende.har_narvaro,
                             select(IndividensNarvaro.id).where(IndividensNarvaro.arende_id == Arende.id).exists()),
             with_expression(Arende.har_mal,
                             select(IndividensMal.id).where(IndividensMal.arende_id == Arende.id).exists()),
             with_expression(Arende.har_senare,
                             select(_SENARE.id).where(_SENARE.foregaende_arende_id == Arende.id).exists()))
    # The relationships' own order (contains_eager keeps the rows' order).
    .order_by(Samtycke.id, Part.id)
)


def get_arende(user: User, arende_id: int, *, detaljer: bool = True) -> Arende:
    """Load one ärende for ``user``; reading details is audited. A page whose access rule
    loaded it (``SIDANS_SATS``) finds it in the identity map."""
    arende = db.session.get(Arende, arende_id)
    needed = policy.Atkomst.DETALJER if detaljer else policy.Atkomst.REFERENS
    policy.require(user, arende, needed)
    if detaljer:
        audit.record("arende.visa", "arende", arende.id, user_id=user.id)
    return arende


def audit_referensvisning(user: User, arende: Arende) -> None:
    """A look at the ärende by reference only is logged too: the trail shows who opened
    which ärende, whatever they were allowed to see."""
    audit.record("arende.visa_referens", "arende", arende.id, user_id=user.id)


def list_arenden(user: User, *, status: str | None = None, sida: int = 1,
                 per_sida: int = 25) -> Sida:
    """The ärenden the user may see, newest first; two queries whatever the size."""
    if status is not None and status not in wf.STATES:
        raise DomainError("okand_status", "Okänd status.", field="status")
    antal, sats = _listans_satser(bool(status))
    parametrar = {**policy.synliga_parametrar(user), "vald_status": status}  # a filter, not a write
    totalt = db.session.execute(antal, parametrar).scalar_one()
    sida = max(1, sida)
    rader = db.session.execute(sats, {**parametrar, "per_sida": per_sida, "forbi": (sida - 1) * per_sida}
                               ).scalars().all()
    return Sida(rader=list(rader), sida=sida, per_sida=per_sida, totalt=totalt)


@functools.cache
def _listans_satser(med_status: bool):
    """The list's count and page, built once with the user, the status and the page as
    bind parameters (``policy.SYNLIGA_ARENDEN``), so a request only binds values: the
    list page and the API list ran the clause's construction on every request (issue 19)."""
    where = [policy.SYNLIGA_ARENDEN]
    if med_status:
        where.append(Arende.status == bindparam("vald_status"))
    antal = select(func.count(Arende.id)).where(*where)
    sats = (select(Arende)
            .where(*where)
            .options(joinedload(Arende.team), joinedload(Arende.aktualiserande_part))
            .order_by(Arende.skapad.desc(), Arende.id.desc())
            .limit(bindparam("per_sida"))
            .offset(bindparam("forbi")))
    return antal, sats


def fire(
    user: User,
    arende_id: int,
    trigger: str,
    *,
    version: int | None,
    datum: dt.date | None = None,
    kommentar: str = "",
    kanal: str = wf.ARENDE,
    **context,
) -> ArendeHandelse:
    """Run one transition for ``user``; DomainError (nothing changed) on any refusal.

    ``kanal`` is the entrance (``workflows.arende.KANALER``): the case page and the API
    use the default; the agenda, meeting mode, the queue and the scheduler name theirs.
    """
    arende = db.session.get(Arende, arende_id)
    policy.require(user, arende, policy.Atkomst.REFERENS)
    flow = ArendeFlow(arende)
    if version is not None and version != arende.version:
        raise Conflict(STALE_MESSAGE)  # someone else changed it first: say so, not why not
    if trigger != "korrigera":
        # What the state allows is no secret to whoever sees the ärende by reference.
        flow.kontrollera_tillstand(trigger)
    policy.require_fire(user, arende, trigger)
    if trigger == "korrigera":
        return flow.korrigera(context.get("till", ""), aktor_id=user.id, orsak=kommentar,
                              forvantad_version=version)
    # Closing effects (insatser, queue, coming agendas) run inside the flow.
    return flow.fire(trigger, aktor_id=user.id, datum=datum, kommentar=kommentar.strip(),
                     forvantad_version=version, kanal=kanal, **context)


def history(arende: Arende) -> list[ArendeHandelse]:
    return db.session.execute(_HISTORIK, {"arende_id": arende.id}).scalars().all()


# The case page's statements are built once with the ärende as a bind parameter: their
# construction and cache keys cost more Python time than their rows (issue 19).
_HISTORIK = (select(ArendeHandelse)
             .where(ArendeHandelse.arende_id == bindparam("arende_id"))
             .options(joinedload(ArendeHandelse.aktor))
             .order_by(ArendeHandelse.id))


def allowed_triggers(user: User, arende: Arende) -> list[str]:
    """Triggers the state allows now and the user may fire (what the page offers)."""
    return [t for t in ArendeFlow(arende).available_triggers() if policy.may_fire(user, arende, t)]


def teams_for(user: User) -> list[Team]:
    return db.session.execute(
        select(Team)
        .where(Team.forbund_id == user.forbund_id,
               Team.id.in_(policy.medlem_team_ids(user)))
        .options(selectinload(Team.medlemskap))
        .order_by(svensk_ordning(Team.namn))
    ).scalars().all()


def list_medlemmar(user: User, team_id: int) -> list[Medlemskap]:
    """A team's members with role and party, for members of that team only."""
    team = policy.require_team_medlem(user, db.session.get(Team, team_id))
    return db.session.execute(
        select(Medlemskap)
        .join(User, Medlemskap.user_id == User.id)
        .where(Medlemskap.team_id == team.id)
        .options(contains_eager(Medlemskap.user).joinedload(User.part))
        .order_by(svensk_ordning(User.namn), Medlemskap.id)
    ).scalars().all()


# --- Lists: mine, the projektledare's inkorg, consent expiring, search ------------------
# Each costs a fixed number of queries (count + page, plus one small lookup where noted),
# whatever the number of rows.

# Consent that ends within this many days is flagged on "Samtycke går ut".
SAMTYCKE_VARNING_DAGAR = 30
_NUMMERLIKT = re.compile(r"[\d\s+-]+", re.ASCII)


def _sida(stmt, where: list, *, sida: int, per_sida: int | None, order_by: list):
    """Count and load one page of ``stmt`` (a select of Arende, maybe with extra columns);
    ``per_sida=None``: every row, counted as loaded (no count statement)."""
    stmt = stmt.where(*where).order_by(*order_by)
    if per_sida is None:
        rows = db.session.execute(stmt).all()
        return rows, 1, max(len(rows), 1), len(rows)
    totalt = db.session.execute(select(func.count(Arende.id)).where(*where)).scalar_one()
    sida = max(1, sida)
    stmt = stmt.limit(per_sida).offset((sida - 1) * per_sida)
    return db.session.execute(stmt).all(), sida, per_sida, totalt


def _list_options():
    return (joinedload(Arende.team), joinedload(Arende.aktualiserande_part))


def mina_arenden(user: User, *, sida: int = 1, per_sida: int = 25) -> Sida:
    """Ärenden the user brought (is handläggare for), any state, drafts first."""
    where = [policy.visible_arenden_clause(user), Arende.handlaggare_id == user.id]
    rows, sida, per_sida, totalt = _sida(
        select(Arende).options(*_list_options()), where, sida=sida, per_sida=per_sida,
        order_by=[case((Arende.status == wf.UTKAST, 0), else_=1), Arende.skapad.desc(),
                  Arende.id.desc()],
    )
    return Sida(rader=[r[0] for r in rows], sida=sida, per_sida=per_sida, totalt=totalt)


@dataclass
class InkorgRad:
    """One ärende waiting for the projektledare: new, or due for follow-up."""

    arende: Arende
    sedan: dt.date | None  # since when it has waited
    overford: bool  # carried over: not reached at its latest meeting

    @property
    def ny(self) -> bool:
        return self.arende.status == wf.AKTUALISERAD

    @property
    def dags_for_uppfoljning(self) -> bool:
        """In insats, its follow-up date reached; the scheduler calls it to uppföljning."""
        return self.arende.status == wf.I_INSATS


@dataclass
class Inkorg(Sida):
    teams: list = field(default_factory=list)  # the teams the user leads
    team_id: int | None = None  # the team filtered on, if any


def _projektledare_teams(user: User) -> list[Team]:
    return db.session.execute(_PROJEKTLEDARE_TEAMS, {"ledda": policy.ledda_team_ids(user),
                                                     "forbund_id": user.forbund_id}).scalars().all()


_PROJEKTLEDARE_TEAMS = (select(Team)
                        .where(Team.id.in_(bindparam("ledda", expanding=True)),
                               Team.forbund_id == bindparam("forbund_id"))
                        .order_by(svensk_ordning(Team.namn), Team.id))


def _date(expr):
    # Keep the Date type through CASE/COALESCE so SQLite's text dates come back as dates.
    return type_coerce(expr, Date)


def _into_state(status: str, *, utan_bordlagg: bool):
    """The latest day the ärende entered ``status`` (correlated to the outer Arende)."""
    stmt = select(func.max(ArendeHandelse.galler_datum)).where(
        ArendeHandelse.arende_id == Arende.id, ArendeHandelse.till_status == status)
    if utan_bordlagg:
        stmt = stmt.where(ArendeHandelse.trigger != "bordlagg")
    return stmt.scalar_subquery()


def inkorg(user: User, team_id: int | None = None, *, sida: int = 1,
           per_sida: int | None = None, med_forfallna: bool = False) -> Inkorg:
    """The projektledare's inbox: ärenden in ``aktualiserad`` (new) and ``uppfoljning``
    (due for follow-up) in the teams they lead, oldest first.

    ``team_id`` narrows it to one team, which the user must lead (403; 404 for a team
    they do not belong to). Without it, every team they lead; someone who leads no team
    is refused (403). ``per_sida=None`` returns every row (the agenda builder's use).
    ``med_forfallna`` adds ärenden in insats whose follow-up date has come (on or before
    the team's next meeting), marked "Dags för uppföljning", before the scheduler has
    called them (the inbox page; the agenda builder takes only what can be placed).
    """
    team_ids = policy.require_leder(user, team_id)
    teams = _projektledare_teams(user)
    parametrar = {**policy.synliga_parametrar(user), "inkorg_team_ids": team_ids}
    if med_forfallna:
        from samverkan.uppfoljning import forlopp as uppfoljning

        # Literal meeting days per team: built for this request, as before.
        antal, alla, sidvis = _inkorgens_satser(uppfoljning.forfallen_clause(uppfoljning.nasta_motesdagar(team_ids)))
    else:
        antal, alla, sidvis = _inkorgens_fasta_satser()
    if per_sida is None:
        rows = db.session.execute(alla, parametrar).all()
        sida, per_sida, totalt = 1, max(len(rows), 1), len(rows)
    else:
        totalt = db.session.execute(antal, parametrar).scalar_one()
        sida = max(1, sida)
        rows = db.session.execute(sidvis, {**parametrar, "per_sida": per_sida, "forbi": (sida - 1) * per_sida}
                                  ).all()
    return Inkorg(
        rader=[InkorgRad(arende=a, sedan=s, overford=utfall == "bordlagd") for a, s, utfall in rows],
        sida=sida, per_sida=per_sida, totalt=totalt, teams=list(teams), team_id=team_id,
    )


@dataclass(frozen=True, slots=True)
class InkorgsPlats:
    """One inbox row as the agenda builder shows it: columns, not an entity."""

    id: int
    referens: str
    status: str
    part: str  # the aktualiserande part's name
    sedan: dt.date | None
    overford: bool

    @property
    def ny(self) -> bool:
        return self.status == wf.AKTUALISERAD


def inkorg_for_motet(user: User, team_id: int) -> list[InkorgsPlats]:
    """The team's inbox as ``inkorg(user, team_id)`` lists it (the same rule, rows and
    order, without the due follow-ups), as rows of what the agenda builder shows: one
    statement, no entities and no list of the user's teams (issue 19)."""
    (team_id,) = policy.require_leder(user, team_id)
    rows = rader(_inkorgens_platser(), {**policy.synliga_parametrar(user), "inkorg_team_id": team_id})
    return [InkorgsPlats(id=i, referens=r, status=st, part=p, sedan=s, overford=u == "bordlagd")
            for i, r, st, p, s, u in rows]


@functools.cache
def _inkorgens_platser():
    sedan, senaste_utfall = _inkorgens_uttryck()
    return (select(Arende.id, Arende.referens, Arende.status, Part.namn, sedan, senaste_utfall)
            .join(Part, Part.id == Arende.aktualiserande_part_id)
            # Equalities, not IN lists: SQLAlchemy renders an IN list's parameters into the
            # statement anew on every call (≈90 µs of CPU here).
            .where(policy.SYNLIGA_ARENDEN, Arende.team_id == bindparam("inkorg_team_id"),
                   or_(Arende.status == wf.AKTUALISERAD, Arende.status == wf.UPPFOLJNING))
            .order_by(sedan.asc().nulls_last(), Arende.id))


@functools.cache
def _inkorgens_uttryck():
    """The inbox's columns, built once: how long each ärende has waited, and whether it
    was carried over."""
    # A bordlagd new ärende has waited since it was aktualiserad; a follow-up since it
    # was called to follow-up, not since it was last carried over.
    sedan = _date(case(
        (Arende.status == wf.AKTUALISERAD,
         func.coalesce(Arende.aktualiserad_den, _into_state(wf.AKTUALISERAD, utan_bordlagg=False))),
        (Arende.status == wf.I_INSATS, Arende.nasta_uppfoljning),
        else_=func.coalesce(_into_state(wf.UPPFOLJNING, utan_bordlagg=True),
                            _into_state(wf.UPPFOLJNING, utan_bordlagg=False)),
    ))
    # The outcome at the latest meeting held with the ärende on the agenda (cancelled
    # meetings and agendas not yet dealt with say nothing about being carried over).
    senaste_utfall = (
        select(Dagordningspunkt.utfall)
        .join(Mote, Mote.id == Dagordningspunkt.mote_id)
        .where(Dagordningspunkt.arende_id == Arende.id, Dagordningspunkt.utfall.is_not(None),
               Mote.installt.is_(None))
        .order_by(Mote.starttid.desc(), Dagordningspunkt.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return sedan, senaste_utfall


def _inkorgens_satser(forfallen=None):
    """The inbox's count and rows, the user and the teams as bind parameters
    (``synliga_parametrar`` and ``inkorg_team_ids``); ``forfallen``: the follow-ups
    due, added to what waits. The rows all, and a page of them (``per_sida``, ``forbi``)."""
    sedan, senaste_utfall = _inkorgens_uttryck()
    vantar = Arende.status.in_([wf.AKTUALISERAD, wf.UPPFOLJNING])
    if forfallen is not None:
        vantar = or_(vantar, forfallen)
    where = [policy.SYNLIGA_ARENDEN, Arende.team_id.in_(bindparam("inkorg_team_ids", expanding=True)), vantar]
    antal = select(func.count(Arende.id)).where(*where)
    alla = (select(Arende, sedan, senaste_utfall).options(*_list_options()).where(*where)
            .order_by(sedan.asc().nulls_last(), Arende.id))
    return antal, alla, alla.limit(bindparam("per_sida")).offset(bindparam("forbi"))


@functools.cache
def _inkorgens_fasta_satser():
    """Without the due follow-ups (the agenda builder, the overview) the statements are
    the same for every request: built once, so a request only binds values (issue 19)."""
    return _inkorgens_satser()


@dataclass
class SamtyckeRad:
    arende: Arende
    giltigt_till: dt.date
    nasta_mote: dt.date | None  # the team's next meeting day, if one is planned

    @property
    def gatt_ut(self) -> bool:
        return self.giltigt_till < clock.today()

    @property
    def fore_motet(self) -> bool:
        return self.nasta_mote is not None and self.giltigt_till < self.nasta_mote


def samtycke_gar_ut(user: User, *, sida: int = 1, per_sida: int = 25) -> Sida:
    """Open ärenden the user may see whose current consent ends within
    SAMTYCKE_VARNING_DAGAR days or before their team's next meeting (or has ended)."""
    today = clock.today()
    grans = today + dt.timedelta(days=SAMTYCKE_VARNING_DAGAR)
    # One small query for the next meeting per team; the day is a Stockholm date, which
    # SQL cannot compute portably from a UTC timestamp, so it becomes literal conditions.
    nasta = {
        team_id: clock.local(start).date()
        for team_id, start in db.session.execute(
            select(Mote.team_id, func.min(Mote.starttid))
            .join(Team, Team.id == Mote.team_id)
            .where(Team.forbund_id == user.forbund_id, Mote.installt.is_(None),
                   Mote.starttid > clock.now())
            .group_by(Mote.team_id)
        ).all()
    }
    villkor = [Samtycke.giltigt_till <= grans]
    villkor += [and_(Arende.team_id == tid, Samtycke.giltigt_till < dag)
                for tid, dag in sorted(nasta.items()) if dag > grans]
    tidigare = aliased(Samtycke)
    senaste = (select(func.max(tidigare.id)).where(tidigare.arende_id == Arende.id)
               .scalar_subquery())
    where = [
        policy.visible_arenden_clause(user),
        Arende.status.in_(wf.OPEN),
        Samtycke.aterkallat.is_(None),
        or_(*villkor),
    ]
    stmt = (select(Arende, Samtycke.giltigt_till)
            .join(Samtycke, and_(Samtycke.arende_id == Arende.id, Samtycke.id == senaste))
            .options(*_list_options()))
    totalt = db.session.execute(
        select(func.count(Arende.id))
        .join(Samtycke, and_(Samtycke.arende_id == Arende.id, Samtycke.id == senaste))
        .where(*where)
    ).scalar_one()
    sida = max(1, sida)
    rows = db.session.execute(
        stmt.where(*where).order_by(Samtycke.giltigt_till, Arende.id)
        .limit(per_sida).offset((sida - 1) * per_sida)
    ).all()
    return Sida(
        rader=[SamtyckeRad(arende=a, giltigt_till=g, nasta_mote=nasta.get(a.team_id)) for a, g in rows],
        sida=sida, per_sida=per_sida, totalt=totalt,
    )


@dataclass
class Sokresultat(Sida):
    typ: str = ""  # "referens", "personnummer", or "" when nothing was searched


def sok_arenden(user: User, q: str | None, *, sida: int = 1, per_sida: int = 25) -> Sokresultat:
    """Search by reference code (exact, any case) or by exact personnummer or
    samordningsnummer (validated, audited as ``arende.sok``).

    A number search shows only ärenden whose details the user may read: listing an
    ärende the user knows only by reference against a person's number would tell them
    who it is about.
    """
    q = (q or "").strip()
    if not q:
        return Sokresultat(rader=[], sida=1, per_sida=per_sida, totalt=0)
    if len(q) > 40:
        raise DomainError("ogiltig_sokning", "Sökningen är för lång. Ange en referens eller ett "
                          "personnummer.", field="q")
    where = [policy.visible_arenden_clause(user)]
    if _NUMMERLIKT.fullmatch(q):
        policy.require_search_deltagare(user)
        try:
            nummer = personnummer_mod.parse(q).nummer
        except DomainError as error:
            error.field = "q"
            raise
        deltagare_id = db.session.execute(
            select(Deltagare.id).where(Deltagare.forbund_id == user.forbund_id,
                                       Deltagare.med_personnummer(nummer))
        ).scalar_one_or_none()
        # Audited whether or not anything is found; the number itself is not logged.
        if deltagare_id is None:
            audit.record("arende.sok", "deltagare", deltagare_id, user_id=user.id,
                         falt=["personnummer"])
            return Sokresultat(rader=[], sida=1, per_sida=per_sida, totalt=0, typ="personnummer")
        where += [policy.detail_arenden_clause(user), Arende.deltagare_id == deltagare_id]
        typ = "personnummer"
    else:
        where.append(func.upper(Arende.referens) == q.upper())
        typ = "referens"
    rows, sida, per_sida, totalt = _sida(
        select(Arende).options(*_list_options()), where, sida=sida, per_sida=per_sida,
        order_by=[Arende.skapad.desc(), Arende.id.desc()],
    )
    rader = [r[0] for r in rows]
    if typ == "personnummer":
        # The search, and each ärende it showed in that ärende's own trail: one INSERT.
        audit.record("arende.sok", "deltagare", deltagare_id, user_id=user.id, falt=["personnummer"])
        audit.record_many("arende.sok_traff", "arende", [a.id for a in rader], user_id=user.id,
                          falt=["personnummer"])
    return Sokresultat(rader=rader, sida=sida, per_sida=per_sida, totalt=totalt, typ=typ)


# --- consent through the ärende's life ---------------------------------------------------


def fornya_samtycke(user: User, arende_id: int, *, givet_den: dt.date, giltigt_till: dt.date, satt: str,
                    part_ids: list[int], dokumentreferens: str = "") -> Samtycke:
    """Register a renewed or changed consent on an open ärende (new document reference,
    parties, validity). The latest counts; the earlier ones stay as its history. Refused
    after withdrawal: a withdrawn consent is not renewed, the ärende is closed."""
    arende = db.session.get(Arende, arende_id)
    policy.require(user, arende, policy.Atkomst.DETALJER)
    if policy.samtycke_aterkallat(arende):
        raise DomainError("samtycke_aterkallat", "Samtycket är återkallat och kan inte förnyas; "
                          "ärendet kan bara avslutas. Aktualisera ett nytt ärende om deltagaren "
                          "samtycker igen.")
    if arende.status not in wf.OPEN:
        raise DomainError("ej_oppet", "Samtycket förnyas på ett aktualiserat ärende som inte är avslutat.")
    policy.require_fornya_samtycke(user, arende)
    if giltigt_till < clock.today():
        raise DomainError("ogiltig_period", "Ett förnyat samtycke måste gälla i dag eller längre.",
                          field="giltigt_till")
    from samverkan.arenden.flow import samtycke_parter_fel, team_part_ids

    parter = set(part_ids or [])
    if not parter or not parter <= team_part_ids(arende.team_id):
        raise DomainError("ogiltiga_parter", "Välj bland teamets parter vilka samtycket omfattar.",
                          field="parter")
    fel = samtycke_parter_fel(parter, arende.team_id, arende.aktualiserande_part_id)
    if fel is not None:
        raise DomainError("samtycke_parter", fel, field="parter")
    if not (dokumentreferens or "").strip():
        raise DomainError("dokumentreferens_saknas", "Ange var det nya samtyckesdokumentet finns.",
                          field="dokumentreferens")
    samtycke = deltagare_services.register_samtycke(
        arende.id, user_id=user.id, forbund_id=arende.forbund_id, givet_den=givet_den,
        giltigt_till=giltigt_till, satt=satt, part_ids=sorted(parter), dokumentreferens=dokumentreferens)
    samtycke.registrerad_av_id = user.id
    db.session.expire(arende, ["samtycken"])
    db.session.flush()
    audit.record("samtycke.fornya", "arende", arende.id, user_id=user.id,
                 falt=["samtycke", "parter", "giltigt_till", "dokumentreferens"])
    return samtycke


def samtycken(arende: Arende) -> list[Samtycke]:
    """Every consent registered for the ärende, newest first (the history on the case page)."""
    return list(reversed(arende.samtycken))
