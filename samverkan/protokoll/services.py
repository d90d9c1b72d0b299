"""A meeting's protokoll: generated from what was recorded, approved (justering) by the
team's projektledare, frozen as JSON at that moment and amended only by addenda.

The content names no person: attendance is per party, each agenda item by its reference
code and aktualiserande party, nothing from the case text. Every read and write is audited.
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
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError, NotFound
from samverkan.forbund.models import Part
from samverkan.insatser.models import INSATS_FORM_LABELS, InsatsForm, Insatstyp
from samverkan.moten.models import NARVARO_LABELS, Dagordningspunkt, Mote, Narvaro, PunktStatus
from samverkan.moten.utfall import UTFALL_LABELS
from samverkan.protokoll.models import Protokoll, Protokolltillagg
from samverkan.samplanering import handlingsplan, individen

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
    justerat_av: User | None
    tillagg: list[Protokolltillagg]
    forfattare: dict[int, User]  # addenda authors by id

    @property
    def justerat(self) -> bool:
        return self.protokoll is not None and self.protokoll.justerat is not None

    @property
    def kan_justeras(self) -> bool:
        """Held, not cancelled, not yet justerat (``justera`` checks it again)."""
        return not self.justerat and self.mote.installt is None and self.mote.starttid <= clock.now()


def _mote(user: User, mote_id: int, *, projektledare: bool = False) -> Mote:
    # ``get``: the access rule has loaded it (with its team) for this request already.
    mote = db.session.get(Mote, mote_id, options=[joinedload(Mote.team)])
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


def visa(user: User, mote_id: int, *, handling: str = "protokoll.visa") -> ProtokollSida:
    """The protokoll as a team member reads it: frozen if justerat, else generated now."""
    mote = _mote(user, mote_id)
    protokoll = _protokoll(mote.id)
    if protokoll is not None and protokoll.justerat is not None:
        innehall = json.loads(protokoll.innehall)
        justerat_av = db.session.get(User, protokoll.justerat_av_id)
        tillagg = db.session.execute(
            select(Protokolltillagg).where(Protokolltillagg.protokoll_id == protokoll.id)
            .order_by(Protokolltillagg.id)).scalars().all()
    else:
        innehall, justerat_av, tillagg = generera(mote), None, []
    ids = {t.skapad_av_id for t in tillagg}
    forfattare = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}
    audit.record(handling, "mote", mote.id, user_id=user.id)
    return ProtokollSida(mote=mote, protokoll=protokoll, innehall=innehall, justerat_av=justerat_av,
                         tillagg=list(tillagg), forfattare=forfattare)


def justera(user: User, mote_id: int) -> Protokoll:
    """Approve the protokoll: freeze its content now. Only the team's projektledare, only
    once, and only when the meeting has been held."""
    mote = _mote(user, mote_id, projektledare=True)
    if mote.installt is not None:
        raise DomainError("mote_installt", "Mötet är inställt; det finns inget protokoll att justera.")
    if mote.starttid > clock.now():
        raise DomainError("mote_ej_hallet", "Mötet har inte hållits ännu; protokollet justeras efter mötet.")
    protokoll = _protokoll(mote.id, las=True)
    if protokoll is None:
        protokoll = Protokoll(mote_id=mote.id)
        db.session.add(protokoll)
    elif protokoll.justerat is not None:
        raise DomainError("protokoll_justerat", "Protokollet är redan justerat.")
    protokoll.innehall = json.dumps(generera(mote), ensure_ascii=False)
    protokoll.justerat = clock.now()
    protokoll.justerat_av_id = user.id
    db.session.flush()
    audit.record("protokoll.justera", "mote", mote.id, user_id=user.id, falt=["innehall", "justerat"])
    return protokoll


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

