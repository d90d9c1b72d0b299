"""Aktualisering as the UI does it: a draft saved, edited, and sent to the team.

Built on ``samverkan.arenden.services`` (create_utkast, fire) and
``samverkan.deltagare.services`` (find_or_create, register_samtycke). Every function
checks access, changes and flushes, and audits; the view commits once, and on any
DomainError rolls back, so a refused form leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass

from sqlalchemy import select

from samverkan.arenden import kodlistor
from samverkan.arenden import services as arende_services
from samverkan.arenden.flow import STALE_MESSAGE, samtycke_parter_fel, team_part_ids, team_parter
from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import Conflict, DomainError, NotFound
from samverkan.core.html import sanitize_html, text_content
from samverkan.core.svenska import svensk_ordning
from samverkan.deltagare import services as deltagare_services
from samverkan.deltagare.models import Kon, Samtycke, SamtyckeSatt
from samverkan.forbund.models import Part, Team
from workflows import arende as wf

# Guard refusals from the flow carry no field; these put them beside the right one.
_GUARD_FIELDS = {
    wf.GUARD_MESSAGES["har_fragestallning"]: "fragestallning",
    wf.GUARD_MESSAGES["har_giltigt_samtycke"]: "giltigt_till",
}
# A whole tag (``<p>``, ``</em>``, ``<a href="…">``): text with one is taken as HTML.
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")
# Start data checked against its code list (the same words as create_utkast uses).
_KODLISTOR = {
    "forsorjning_start": (kodlistor.FORSORJNING, "försörjning"),
    "sysselsattning_start": (kodlistor.SYSSELSATTNING, "sysselsättning"),
    "utbildningsniva": (kodlistor.UTBILDNINGSNIVA, "utbildningsnivå"),
    "tid_i_offentligt_stod": (kodlistor.TID_I_OFFENTLIGT_STOD, "tid i offentligt stöd"),
}


@dataclass
class SamtyckeUppgifter:
    givet_den: dt.date
    giltigt_till: dt.date
    satt: str
    part_ids: list[int]
    dokumentreferens: str = ""

    def som_kwargs(self) -> dict:
        return {"givet_den": self.givet_den, "giltigt_till": self.giltigt_till, "satt": self.satt,
                "part_ids": list(self.part_ids), "dokumentreferens": self.dokumentreferens}


@dataclass
class Uppgifter:
    """What the aktualisering form carries, already typed by the form."""

    team_id: int
    kon: str
    fragestallning: str
    personnummer: str | None = None
    anonym_kod: str | None = None
    fodelsear: int | None = None
    forsorjning_start: str | None = None
    sysselsattning_start: str | None = None
    utbildningsniva: str | None = None
    tid_i_offentligt_stod: str | None = None
    samtycke: SamtyckeUppgifter | None = None


@dataclass
class Underlag:
    """What the form needs: the teams the user may aktualisera in, the chosen one, and
    its parties (those of its ledamöter: the ones a consent must cover)."""

    teams: list[Team]
    team: Team
    parter: list[Part]
    # The team's consent rule, shown on the form before it is filled in.
    alla_parter_kravs: bool = False


def arbetsteam(user: User) -> list[Team]:
    """The teams in which the user brings ärenden (projektledare, ledamot, ersättare)."""
    return db.session.execute(
        select(Team)
        .where(Team.id.in_(policy.aktualiserande_team_ids(user)), Team.forbund_id == user.forbund_id)
        .order_by(svensk_ordning(Team.namn), Team.id)
    ).scalars().all()


def underlag(user: User, team_id: int | None = None) -> Underlag:
    """The form's choices. 403 for someone with no team to aktualisera in; 404 for a team
    id that is not one of theirs (a forged id looks like a missing one)."""
    policy.require_aktualiserande(user)
    teams = arbetsteam(user)
    if team_id is None:
        team = teams[0]
    else:
        team = next((t for t in teams if t.id == team_id), None)
        if team is None:
            raise NotFound("Teamet finns inte.")
    return Underlag(teams=list(teams), team=team, parter=team_parter(team.id),
                    alla_parter_kravs=bool(team.samtycke_alla_parter))


def samtyckesblankett(user: User, team_id: int) -> Underlag:
    """The printable consent form for a team: its parties, no personal data."""
    return underlag(user, team_id)


def fragestallning_html(raw: str | None) -> str:
    """Plain text (no tags) becomes paragraphs and line breaks; HTML is kept. Either way
    the result is sanitised here and again in create_utkast."""
    raw = (raw or "").replace("\r\n", "\n").strip()
    if not _TAG.search(raw):
        stycken = [s.strip() for s in re.split(r"\n\s*\n", raw) if s.strip()]
        raw = "".join("<p>" + html.escape(s, quote=False).replace("\n", "<br>") + "</p>"
                      for s in stycken)
    return sanitize_html(raw)


def fragestallning_text(stored: str | None) -> str:
    """The stored HTML back as the text a user typed, when it is only paragraphs and
    line breaks; anything richer is shown as HTML to edit."""
    stored = stored or ""
    tags = {t.lower() for t in re.findall(r"</?\s*([a-zA-Z0-9]+)", stored)}
    if not tags <= {"p", "br"}:
        return stored
    text = re.sub(r"</p>\s*<p>", "\n\n", stored)
    text = re.sub(r"<br\s*/?>", "\n", text)
    text = re.sub(r"</?p>", "", text)
    return html.unescape(text).strip()


def _check_fragestallning(value: str) -> str:
    cleaned = fragestallning_html(value)
    if not text_content(cleaned):
        raise DomainError("fragestallning_saknas", wf.GUARD_MESSAGES["har_fragestallning"],
                          field="fragestallning")
    return cleaned


def _check_parter(team_id: int, samtycke: SamtyckeUppgifter | None, user: User) -> None:
    if samtycke is None:
        return
    if not samtycke.part_ids or not set(samtycke.part_ids) <= team_part_ids(team_id):
        raise DomainError("ogiltiga_parter", "Välj bland teamets parter vilka samtycket omfattar.",
                          field="parter")
    # The aktualiserande party and one other, or the team's stricter rule (issue 15).
    fel = samtycke_parter_fel(set(samtycke.part_ids), team_id, user.part_id)
    if fel is not None:
        raise DomainError("samtycke_parter", fel, field="parter")


def _identitet(u: Uppgifter) -> dict:
    if u.personnummer:
        return {"personnummer_raw": u.personnummer}
    return {"anonym_kod": u.anonym_kod, "fodelsear": u.fodelsear}


def skapa(user: User, u: Uppgifter, *, skicka: bool) -> Arende:
    """A new ärende as a draft; with ``skicka`` also aktualiserad (sent to the team)."""
    underlag(user, u.team_id)
    fragestallning = _check_fragestallning(u.fragestallning)
    _check_parter(u.team_id, u.samtycke, user)
    arende = arende_services.create_utkast(
        user,
        team_id=u.team_id,
        fragestallning=fragestallning,
        kon=u.kon,
        personnummer=u.personnummer or None,
        anonym_kod=None if u.personnummer else u.anonym_kod,
        fodelsear=None if u.personnummer else u.fodelsear,
        forsorjning_start=u.forsorjning_start,
        sysselsattning_start=u.sysselsattning_start,
        utbildningsniva=u.utbildningsniva,
        tid_i_offentligt_stod=u.tid_i_offentligt_stod,
        samtycke=u.samtycke.som_kwargs() if u.samtycke else None,
    )
    if skicka:
        _skicka(user, arende)
    return arende


def hamta_utkast(user: User, arende_id: int, *, granska: bool = True) -> Arende:
    """The user's own draft, to edit. Showing its details is audited; ``granska=False``
    is for a check of access alone, when the page echoes the posted form, not the record."""
    arende = _eget_utkast(user, arende_id)
    if granska:
        audit.record("arende.visa", "arende", arende.id, user_id=user.id)
    return arende


def andra(user: User, arende_id: int, u: Uppgifter, *, version: int | None, skicka: bool) -> Arende:
    """Update the user's own draft; a changed consent is registered anew (the latest
    counts, the earlier stays in the record). With ``skicka`` it is then aktualiserad."""
    arende = _eget_utkast(user, arende_id)
    if version is not None and version != arende.version:
        raise Conflict(STALE_MESSAGE)
    team = underlag(user, u.team_id).team
    fragestallning = _check_fragestallning(u.fragestallning)
    _check_parter(team.id, u.samtycke, user)
    andrade: list[str] = []
    if arende.team_id != team.id:
        arende.team = team
        andrade.append("team")

    deltagare = deltagare_services.find_or_create(
        user.forbund_id, user_id=user.id, kon=u.kon, **_identitet(u))
    if deltagare.id != arende.deltagare_id:
        arende.deltagare = deltagare
        andrade.append("deltagare")
    elif deltagare.kon != Kon(u.kon) and deltagare_services.endast_egna_arenden(user, deltagare.id):
        # Kön belongs to the person; correcting it on the draft corrects the person, but
        # only a person whose every ärende the user may read (issue 15: a draft never
        # changes someone registered by another team).
        deltagare.kon = Kon(u.kon)
        audit.record("deltagare.andra", "deltagare", deltagare.id, user_id=user.id, falt=["kon"])
    # The draft keeps what its handläggare entered, whoever else registered the person.
    if arende.uppgiven_kon != Kon(u.kon):
        arende.uppgiven_kon = Kon(u.kon)
        andrade.append("kon")
    fodelsear = None if u.personnummer else u.fodelsear
    if arende.uppgivet_fodelsear != fodelsear:
        arende.uppgivet_fodelsear = fodelsear
        andrade.append("fodelsear")

    varden = {"fragestallning": fragestallning}
    for namn, (kodlista, etikett) in _KODLISTOR.items():
        varde = getattr(u, namn) or None
        if varde is not None and varde not in kodlista:
            raise DomainError("ogiltigt_val", f"Välj {etikett} från listan.", field=namn)
        varden[namn] = varde
    for namn, varde in varden.items():
        if getattr(arende, namn) != varde:
            setattr(arende, namn, varde)
            andrade.append(namn)

    nuvarande = arende.samtycke
    if u.samtycke is None:
        if nuvarande is not None:
            raise DomainError("samtycke_kvar", "Ett registrerat samtycke kan inte tas bort. Ändra "
                              "uppgifterna så registreras ett nytt.", field="givet_den")
    elif nuvarande is None or _samtycke_andrat(nuvarande, u.samtycke):
        deltagare_services.register_samtycke(arende.id, user_id=user.id, forbund_id=user.forbund_id,
                                             **u.samtycke.som_kwargs())
        db.session.expire(arende, ["samtycken"])
        andrade.append("samtycke")

    if andrade:
        db.session.flush()
        audit.record("arende.andra", "arende", arende.id, user_id=user.id, falt=andrade)
    if skicka:
        _skicka(user, arende)
    return arende


def _samtycke_andrat(s: Samtycke, ny: SamtyckeUppgifter) -> bool:
    return (
        s.givet_den != ny.givet_den
        or s.giltigt_till != ny.giltigt_till
        or s.satt != SamtyckeSatt(ny.satt)
        or {p.id for p in s.parter} != set(ny.part_ids)
        or s.dokumentreferens != ny.dokumentreferens.strip()[:200]
    )


def _eget_utkast(user: User, arende_id: int) -> Arende:
    arende = policy.require_eget_utkast(user, db.session.get(Arende, arende_id))
    if arende.status != wf.UTKAST:
        raise DomainError("inte_utkast", "Ärendet är redan skickat till teamet och kan inte "
                          "ändras här.", status=409)
    return arende


def _skicka(user: User, arende: Arende) -> None:
    """Fire ``aktualisera``; the flow's guards decide, with clearer words first."""
    samtycke = arende.samtycke
    if samtycke is None:
        raise DomainError("samtycke_saknas", "Registrera deltagarens samtycke innan ärendet "
                          "skickas till teamet.", field="givet_den")
    if not samtycke.galler(clock.today()):
        raise DomainError("samtycke_galler_inte", "Samtycket gäller inte i dag. Ett utgånget "
                          "samtycke måste förnyas innan ärendet skickas till teamet.",
                          field="giltigt_till")
    try:
        arende_services.fire(user, arende.id, "aktualisera", version=arende.version)
    except DomainError as error:
        error.field = error.field or _GUARD_FIELDS.get(error.message)
        raise


def ateraktualisera(user: User, arende_id: int) -> Arende:
    """A closed ärende comes back: a new draft for the same person and team, linked to
    the earlier one by ``foregaende_arende_id``. The draft needs a new frågeställning and
    a new consent (the earlier consent belonged to the earlier ärende) before it is sent."""
    tidigare = db.session.get(Arende, arende_id)
    policy.require(user, tidigare, policy.Atkomst.DETALJER)
    policy.require_aktualisera_i(user, tidigare.team_id)
    if user.part_id is None:
        raise DomainError("part_saknas", "Ditt konto är inte kopplat till någon part.")
    if tidigare.status == wf.FELREGISTRERAD or tidigare.avslutsorsak == "felregistrering":
        raise DomainError("felregistrerat", "Ett felregistrerat ärende återaktualiseras inte; "
                          "aktualisera ett nytt ärende i stället.")
    if tidigare.status != wf.AVSLUTAD:
        raise DomainError("inte_avslutat", "Bara ett avslutat ärende kan återaktualiseras.")
    senare = db.session.scalar(select(Arende.referens).where(Arende.foregaende_arende_id == tidigare.id))
    if senare is not None:
        raise DomainError("redan_ateraktualiserat", f"Ärendet är redan återaktualiserat som {senare}.",
                          status=409)
    arende = Arende(
        forbund_id=tidigare.forbund_id,
        team_id=tidigare.team_id,
        deltagare_id=tidigare.deltagare_id,
        referens=arende_services.next_referens(tidigare.team.forbund, clock.today().year),
        aktualiserande_part_id=user.part_id,
        handlaggare_id=user.id,
        fragestallning="",
        utbildningsniva=tidigare.utbildningsniva,
        foregaende_arende_id=tidigare.id,
    )
    db.session.add(arende)
    db.session.flush()
    audit.record("arende.ateraktualisera", "arende", arende.id, user_id=user.id,
                 falt=["deltagare", "foregaende_arende"])
    return arende
