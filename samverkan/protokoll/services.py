"""A meeting's protokoll: generated from what was recorded, approved (justering) by the
team's projektledare and, when one is named, a second justerare; frozen as JSON when the
last of them has justerat, and amended only by addenda.

Two justerare: the projektledare names a ledamot or ersättare of the team. Each justerar
in either order; the first justering does not lock the meeting, but records the content
it approved. The second must approve the same content: if what was recorded changed in
between, the second's justering stands and the first is asked again (their step is
cleared). When every named justerare has justerat, the content is frozen, the meeting
locked (``las.py``), and the notices go out (``samverkan.besked``): the team's members
are told the protokoll is justerat, each aktualiserande handläggare of a decided item
that the decision is there. Without a second justerare the projektledare's justering
alone completes it.

The content names no person: attendance is per party, each agenda item by its reference
code and aktualiserande party, nothing from the case text. The team's members read all of
it; an aktualiserande handläggare without a seat in the team reads only their own items
(``policy.protokollets_arenden``). Every read and write is audited.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from samverkan.arenden.flow import team_part_ids
from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.besked import services as besked
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError, NotFound
from samverkan.forbund.models import Medlemskap, Part, TeamRoll
from samverkan.insatser.models import INSATS_FORM_LABELS, InsatsForm, Insatstyp
from samverkan.moten.models import NARVARO_LABELS, Dagordningspunkt, Mote, Narvaro, PunktStatus
from samverkan.moten.utfall import UTFALL_LABELS
from samverkan.protokoll.models import Protokoll, Protokolltillagg
from samverkan.samplanering import handlingsplan, individen

# Who may be the second justerare: one who sits in the team for a party.
JUSTERARE_ROLLER = (TeamRoll.LEDAMOT, TeamRoll.ERSATTARE)

TILLAGG_MAX = 4000
BESLUT_LABELS = {
    "samcoach": INSATS_FORM_LABELS[InsatsForm.SAMCOACH],
    "insats": INSATS_FORM_LABELS[InsatsForm.INSATS],
    "ordinarie": INSATS_FORM_LABELS[InsatsForm.ORDINARIE],
    "bordlagd": "Ej hunnen (överförs till nästa möte)",
}
# An item with an outcome but no recorded decision says what happened to it.
UTFALL_UTAN_BESLUT = {**UTFALL_LABELS, "bordlagd": BESLUT_LABELS["bordlagd"]}
EJ_REGISTRERAT = "Inget beslut registrerat"


@dataclass
class ProtokollSida:
    mote: Mote
    protokoll: Protokoll | None
    innehall: dict  # frozen content if justerat, else generated now
    justerat_av: User | None  # the projektledare who justerade
    tillagg: list[Protokolltillagg]
    forfattare: dict[int, User]  # addenda authors by id
    justerare: User | None = None  # the second justerare, if named
    # The reader's own items only (an aktualiserande handläggare outside the team).
    bara_egna: bool = False
    # Whether the reader may justera now (the projektledare or the named justerare).
    du_kan_justera: bool = False

    @property
    def justerat(self) -> bool:
        return self.protokoll is not None and self.protokoll.justerat is not None

    @property
    def kan_justeras(self) -> bool:
        """Held, not cancelled, not yet justerat (``justera`` checks it again)."""
        return not self.justerat and self.mote.installt is None and self.mote.starttid <= clock.now()

    @property
    def projektledare_justerat(self):
        return self.protokoll.projektledare_justerat if self.protokoll else None

    @property
    def justerare_justerat(self):
        return self.protokoll.justerare_justerat if self.protokoll else None


_MED_TEAM = (joinedload(Mote.team),)  # built once, not on every page


def _mote(user: User, mote_id: int, *, projektledare: bool = False) -> Mote:
    # ``get``: the access rule has loaded it (with its team) for this request already.
    mote = db.session.get(Mote, mote_id, options=_MED_TEAM)
    if mote is None:
        raise NotFound("Mötet finns inte.")
    try:
        if projektledare:
            policy.require_projektledare(user, mote.team)
        else:
            policy.require_team_medlem(user, mote.team)
    except NotFound:
        raise NotFound("Mötet finns inte.") from None
    return mote


def generera(mote: Mote) -> dict:
    """The protokoll's content from the rows as they stand now (plain JSON-able data)."""
    lokal = clock.local(mote.starttid)
    slut = clock.local(mote.starttid + dt.timedelta(minutes=mote.langd_minuter))
    narvaro = {n.part_id: n for n in db.session.execute(
        select(Narvaro).where(Narvaro.mote_id == mote.id)).scalars()}
    part_ids = team_part_ids(mote.team_id) | set(narvaro)
    parter = db.session.execute(
        select(Part).where(Part.id.in_(part_ids)).order_by(Part.namn, Part.id)).scalars().all()
    punkter = db.session.execute(
        select(Dagordningspunkt)
        .where(Dagordningspunkt.mote_id == mote.id, Dagordningspunkt.status == PunktStatus.BOKAD)
        .options(joinedload(Dagordningspunkt.arende).joinedload(Arende.aktualiserande_part))
        .order_by(Dagordningspunkt.ordning, Dagordningspunkt.id)
    ).scalars().all()
    atgarder = handlingsplan.atgarder_for([p.id for p in punkter])
    # The individual's attendance (by role) and the starting step set at each item; the
    # goals in their own words stay on the case page.
    individ = individen.narvaro_for([p.id for p in punkter])
    startsteg = individen.startsteg_for([p.id for p in punkter])
    typer = {t.id: t.namn for t in db.session.execute(
        select(Insatstyp).where(Insatstyp.id.in_({p.insatstyp_id for p in punkter if p.insatstyp_id}))
    ).scalars()}
    return {
        "mote": {
            "id": mote.id,
            "team": mote.team.namn,
            "datum": lokal.date().isoformat(),
            "starttid": lokal.strftime("%H:%M"),
            "sluttid": slut.strftime("%H:%M"),
            "plats": mote.plats or mote.team.motesplats or "",
            "installt": mote.installt is not None,
        },
        "narvaro": [
            {"part": p.namn,
             "status": narvaro[p.id].status.value if p.id in narvaro else None,
             "text": NARVARO_LABELS[narvaro[p.id].status] if p.id in narvaro else "Ej registrerad"}
            for p in parter
        ],
        "punkter": [{**_punkt(nr, p, typer, atgarder.get(p.id, [])),
                     "individen": (f"{individ[p.id].status_text}; följde med: {individ[p.id].medfoljande_text}"
                                   if p.id in individ else None),
                     "startsteg": startsteg.get(p.id)}
                    for nr, p in enumerate(punkter, start=1)],
    }


def _punkt(nr: int, p: Dagordningspunkt, typer: dict[int, str], atgarder: list) -> dict:
    if p.beslut:
        text = BESLUT_LABELS.get(p.beslut, p.beslut)
        if p.beslut == "insats" and p.insatstyp_id in typer:
            text = f"{text}: {typer[p.insatstyp_id]}"
    else:
        text = UTFALL_UTAN_BESLUT.get(p.utfall or "", EJ_REGISTRERAT)
    return {
        "nummer": nr,
        "referens": p.arende.referens,
        "part": p.arende.aktualiserande_part.namn,
        "slag": "Uppföljning" if p.uppfoljning else "Nytt ärende",
        "beslut": p.beslut or ("bordlagd" if p.utfall == "bordlagd" else None),
        "beslut_text": text,
        "insatstyp": typer.get(p.insatstyp_id) if p.insatstyp_id else None,
        "folj_upp_den": p.folj_upp_den.isoformat() if p.folj_upp_den else None,
        # The handlingsplan decided at the item, per owning party (the plan's own words).
        "atgarder": _per_part(atgarder),
    }


def _per_part(atgarder: list) -> list[dict]:
    per: dict[str, list[dict]] = {}
    for a in sorted(atgarder, key=lambda a: (a.part.namn, a.klar_senast, a.id)):
        per.setdefault(a.part.namn, []).append(
            {"beskrivning": a.beskrivning, "ansvarig": a.ansvarig, "klar_senast": a.klar_senast.isoformat()})
    return [{"part": part, "atgarder": rader} for part, rader in per.items()]


def _protokoll(mote_id: int, *, las: bool = False) -> Protokoll | None:
    stmt = select(Protokoll).where(Protokoll.mote_id == mote_id)
    if las:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.execute(stmt).scalar_one_or_none()


def _las_mote(user: User, mote_id: int) -> tuple[Mote, frozenset[int] | None]:
    mote = db.session.execute(
        select(Mote).where(Mote.id == mote_id).options(joinedload(Mote.team))
    ).scalar_one_or_none()
    if mote is None:
        raise NotFound("Mötet finns inte.")
    return mote, policy.protokollets_arenden(user, mote)


def _bara(innehall: dict, arende_ids: frozenset[int]) -> dict:
    """The content with only the given ärenden's items (by reference code: the frozen
    content of an older protokoll names no ids)."""
    referenser = set(db.session.execute(select(Arende.referens).where(Arende.id.in_(arende_ids))).scalars())
    return {**innehall, "punkter": [p for p in innehall["punkter"] if p["referens"] in referenser]}


def visa(user: User, mote_id: int, *, handling: str = "protokoll.visa") -> ProtokollSida:
    """The protokoll as the reader may read it: frozen if justerat, else generated now;
    all of it for the team's members, their own items for an aktualiserande handläggare
    outside the team (without the addenda, which may name any item)."""
    mote, egna = _las_mote(user, mote_id)
    protokoll = _protokoll(mote.id)
    if protokoll is not None and protokoll.justerat is not None:
        innehall = json.loads(protokoll.innehall)
        tillagg = db.session.execute(
            select(Protokolltillagg).where(Protokolltillagg.protokoll_id == protokoll.id)
            .order_by(Protokolltillagg.id)).scalars().all()
    else:
        innehall, tillagg = generera(mote), []
    if egna is not None:
        innehall, tillagg = _bara(innehall, egna), []
    personer = {t.skapad_av_id for t in tillagg}
    if protokoll is not None:
        personer |= {protokoll.justerat_av_id, protokoll.justerare_id} - {None}
    kanda = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(personer))).scalars()}
    audit.record(handling, "mote", mote.id, user_id=user.id)
    sida = ProtokollSida(
        mote=mote, protokoll=protokoll, innehall=innehall,
        justerat_av=kanda.get(protokoll.justerat_av_id) if protokoll and protokoll.projektledare_justerat else None,
        tillagg=list(tillagg), forfattare=kanda,
        justerare=kanda.get(protokoll.justerare_id) if protokoll else None, bara_egna=egna is not None)
    sida.du_kan_justera = sida.kan_justeras and egna is None and (
        policy.is_projektledare(user, mote.team_id) or (protokoll is not None and protokoll.justerare_id == user.id))
    return sida


def justerare_att_valja(user: User, mote_id: int) -> list[User]:
    """Whom the projektledare may name as second justerare: the team's active ledamöter
    and ersättare who do not lead it, by name."""
    mote = _mote(user, mote_id, projektledare=True)
    return _justerare_kandidater(mote.team_id)


def _justerare_kandidater(team_id: int) -> list[User]:
    leder = select(Medlemskap.user_id).where(Medlemskap.team_id == team_id,
                                             Medlemskap.roll == TeamRoll.PROJEKTLEDARE)
    sitter = select(Medlemskap.user_id).where(Medlemskap.team_id == team_id, Medlemskap.roll.in_(JUSTERARE_ROLLER))
    return list(db.session.execute(
        select(User).where(User.id.in_(sitter), User.id.not_in(leder), User.aktiv.is_(True))
        .order_by(User.namn, User.id)).scalars())


def _kontrollera_justerbart(mote: Mote) -> None:
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är inställt; det finns inget protokoll att justera.")
    if mote.starttid > clock.now():
        raise DomainError("mote_ej_hallet", "Mötet har inte hållits ännu; protokollet justeras efter mötet.")


def _protokoll_att_andra(mote: Mote) -> Protokoll:
    protokoll = _protokoll(mote.id, las=True)
    if protokoll is None:
        protokoll = Protokoll(mote_id=mote.id)
        db.session.add(protokoll)
    elif protokoll.justerat is not None:
        raise DomainError("protokoll_justerat", "Protokollet är redan justerat.")
    return protokoll


def utse_justerare(user: User, mote_id: int, justerare_id: int | None) -> Protokoll:
    """The projektledare names the second justerare (a ledamot or ersättare of the team),
    or none (``None``), until the protokoll is justerat. A justerare who is replaced loses
    a justering already made."""
    mote = _mote(user, mote_id, projektledare=True)
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är inställt; det finns inget protokoll att justera.")
    protokoll = _protokoll_att_andra(mote)
    if justerare_id is not None and justerare_id not in {u.id for u in _justerare_kandidater(mote.team_id)}:
        raise DomainError("ogiltig_justerare", "Välj en ledamot eller ersättare i teamet som andra justerare.",
                          field="justerare_id")
    if protokoll.justerare_id != justerare_id:
        protokoll.justerare_id = justerare_id
        protokoll.justerare_justerat = None
        db.session.flush()
        audit.record("protokoll.justerare", "mote", mote.id, user_id=user.id, falt=["justerare_id"])
    return protokoll


@dataclass
class Justering:
    """What a justering did: ``klar`` when the protokoll is now justerat and locked;
    ``vantar_pa`` the justerare still to come; ``pa_nytt`` the one whose earlier
    justering no longer holds, since the content changed after it."""

    protokoll: Protokoll
    klar: bool
    vantar_pa: str | None = None
    pa_nytt: str | None = None

    @property
    def meddelande(self) -> str:
        if self.klar:
            return "Protokollet är justerat och låst. Ändringar görs som tillägg."
        text = "Din justering är registrerad."
        if self.pa_nytt:
            text += f" Protokollet har ändrats sedan {self.pa_nytt} justerade, så {self.pa_nytt} behöver justera igen."
        elif self.vantar_pa:
            text += f" Protokollet låses när {self.vantar_pa} har justerat."
        return text


def justera(user: User, mote_id: int) -> Justering:
    """Justera the protokoll as its projektledare or as the named second justerare, once
    the meeting has been held. The last justering needed freezes the content, locks the
    meeting and writes the notices (``besked.services.efter_justering``)."""
    mote = _mote(user, mote_id)
    _kontrollera_justerbart(mote)
    protokoll = _protokoll_att_andra(mote)
    ar_projektledare = policy.require_justera(user, mote.team_id, protokoll.justerare_id)
    innehall = json.dumps(generera(mote), ensure_ascii=False)
    nu = clock.now()
    pa_nytt = None
    if ar_projektledare:
        if protokoll.justerare_justerat is not None and protokoll.innehall != innehall:
            protokoll.justerare_justerat = None
            pa_nytt = db.session.get(User, protokoll.justerare_id).namn
        protokoll.projektledare_justerat = nu
        protokoll.justerat_av_id = user.id
    else:
        if protokoll.projektledare_justerat is not None and protokoll.innehall != innehall:
            protokoll.projektledare_justerat = None
            protokoll.justerat_av_id = None
            pa_nytt = "projektledaren"
        protokoll.justerare_justerat = nu
    protokoll.innehall = innehall
    klar = protokoll.projektledare_justerat is not None and (
        protokoll.justerare_id is None or protokoll.justerare_justerat is not None)
    if klar:
        protokoll.justerat = nu
    db.session.flush()
    if klar:
        audit.record("protokoll.justera", "mote", mote.id, user_id=user.id, falt=["innehall", "justerat"])
        besked.efter_justering(mote, nu)
        return Justering(protokoll, klar=True)
    audit.record("protokoll.justera_del", "mote", mote.id, user_id=user.id,
                 falt=["projektledare_justerat" if ar_projektledare else "justerare_justerat", "innehall"])
    vantar_pa = ("projektledaren" if protokoll.projektledare_justerat is None
                 else db.session.get(User, protokoll.justerare_id).namn)
    return Justering(protokoll, klar=False, vantar_pa=vantar_pa, pa_nytt=pa_nytt)


def lagg_till(user: User, mote_id: int, text: str) -> Protokolltillagg:
    """An addendum to a justerat protokoll (plain text, reference codes only)."""
    mote = _mote(user, mote_id, projektledare=True)
    text = (text or "").strip()
    if not text:
        raise DomainError("text_saknas", "Skriv tillägget.", field="text")
    if len(text) > TILLAGG_MAX:
        raise DomainError("for_lang", f"Tillägget får vara högst {TILLAGG_MAX} tecken.", field="text")
    protokoll = _protokoll(mote.id)
    if protokoll is None or protokoll.justerat is None:
        raise DomainError("protokoll_ej_justerat",
                          "Protokollet är inte justerat ännu. Tillägg skrivs efter justeringen.")
    tillagg = Protokolltillagg(protokoll_id=protokoll.id, text=text, skapad_av_id=user.id)
    db.session.add(tillagg)
    db.session.flush()
    audit.record("protokoll.tillagg", "mote", mote.id, user_id=user.id, falt=["tillagg"])
    return tillagg

