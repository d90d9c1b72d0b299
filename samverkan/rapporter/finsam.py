"""Uppföljning Finsam (the successor of SUS): per deltagare the start and end data the
national follow-up needs, and which of them have been registered there.

Individual-level: only the team's projektledare (who has details access to every ärende
of the team) sees it, never the styrgrupp or the admin, and every look is audited.
Who is entitled to registration: an ärende that was aktualiserat, not felregistrerat,
with consent not withdrawn. Anonymous participants (a code, no personnummer) are listed
and counted too: Finsam counts them, registered without an identity.

Finsam follows the participant per insats: each insats (samcoach or another insats, not
the parties' ordinary services) is registered in when it starts and out when it ends.
The app's code lists map onto Finsam's (``FINSAM_KODER``, the table in the README), and
the reconciliation lists, per participant, what differs from what Finsam needs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from samverkan.arenden import kodlistor
from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError, NotFound
from samverkan.core.kalkylblad import csv_text
from samverkan.deltagare.models import KON_LABELS, Deltagare
from samverkan.forbund.models import Team
from samverkan.insatser.models import Insats, InsatsForm
from samverkan.rapporter.models import FinsamInsatsRegistrering, FinsamRegistrering
from samverkan.rapporter.queries import FELREG
from workflows import arende as wf

STATUS_LABELS = {
    "start_saknas": "Start ej registrerad",
    "slut_saknas": "Avslut ej registrerat",
    "klar": "Registrerad",
    "pagar": "Start registrerad, pågår",
}


# The app's codes → the category Uppföljning Finsam asks for (None: no counterpart; the
# reconciliation flags it). Kept in step with the README's table.
FINSAM_KODER: dict[str, dict[str, str | None]] = {
    "avslutsorsak": {
        "arbete": "Arbete", "studier": "Studier", "arbetssokande": "Arbetssökande",
        "fortsatt_rehabilitering": "Fortsatt rehabilitering", "eget_foretag": "Arbete",
        "sjukersattning": "Sjukersättning/aktivitetsersättning", "annan_insats": "Annan insats",
        "sjukdom": "Sjukdom", "flyttat": "Flyttat", "eget_onskemal": "Eget önskemål",
        "samtycke_aterkallat": None, "annan": "Annat",
    },
    "forsorjning": {
        "forsorjningsstod": "Försörjningsstöd", "aktivitetsstod": "Aktivitetsstöd", "a_kassa": "A-kassa",
        "sjukpenning": "Sjukpenning", "rehabiliteringspenning": "Sjukpenning",
        "aktivitetsersattning": "Aktivitetsersättning", "sjukersattning": "Sjukersättning", "lon": "Lön",
        "lonebidrag": "Lön med subvention", "csn": "Studiemedel", "ingen": "Ingen ersättning",
        "annan": "Annan",
    },
    "sysselsattning": {
        "ingen": "Ingen", "ami": "Kommunal arbetsmarknadsinsats", "lss_daglig_verksamhet": "Daglig verksamhet",
        "af_program": "Arbetsmarknadspolitiskt program", "arbetstraning": "Arbetsträning", "praktik": "Praktik",
        "studier": "Studier", "arbete_med_stod": "Arbete med stöd", "arbete": "Arbete", "annan": "Annan",
    },
}


@dataclass
class FinsamRad:
    arende: Arende
    deltagare: Deltagare
    registrering: FinsamRegistrering | None
    insatser: list[tuple[Insats, FinsamInsatsRegistrering | None]] = field(default_factory=list)

    @property
    def identitet(self) -> str:
        return self.deltagare.personnummer or f"Anonym ({self.deltagare.anonym_kod or 'utan kod'})"

    def skillnader(self) -> list[str]:
        """What differs from what Uppföljning Finsam needs for this participant."""
        a, ut = self.arende, []
        for namn, varde in (("Försörjning vid start", a.forsorjning_start),
                            ("Sysselsättning vid start", a.sysselsattning_start),
                            ("Utbildningsnivå", a.utbildningsniva), ("Tid i offentligt stöd", a.tid_i_offentligt_stod)):
            if not varde:
                ut.append(f"{namn} saknas")
        if a.avslutad_den is not None:
            for namn, varde, lista in (("Avslutsorsak", a.avslutsorsak, "avslutsorsak"),
                                       ("Försörjning vid avslut", a.forsorjning_slut, "forsorjning"),
                                       ("Sysselsättning vid avslut", a.sysselsattning_slut, "sysselsattning")):
                if not varde:
                    ut.append(f"{namn} saknas")
                elif FINSAM_KODER[lista].get(varde) is None:
                    ut.append(f"{namn} har ingen motsvarighet i Finsam")
        for insats, reg in self.insatser:
            namn = insats_namn(insats)
            if reg is None or reg.in_registrerad is None:
                ut.append(f"{namn}: inskrivning ej registrerad")
            if insats.avslutad is not None and (reg is None or reg.ut_registrerad is None):
                ut.append(f"{namn}: utskrivning ej registrerad")
        return ut

    @property
    def status(self) -> str:
        r = self.registrering
        if r is None or r.start_registrerad is None:
            return "start_saknas"
        if self.arende.avslutad_den is not None:
            return "klar" if r.slut_registrerad else "slut_saknas"
        return "pagar"

    @property
    def kon(self) -> str:
        return KON_LABELS[self.deltagare.kon]

    def falt(self) -> dict[str, str]:
        """Start and end data, as labels, in the order Uppföljning Finsam asks for them."""
        a = self.arende
        return {
            "Startdatum": a.aktualiserad_den.isoformat(),
            "Försörjning vid start": kodlistor.FORSORJNING.get(a.forsorjning_start or "", "–"),
            "Sysselsättning vid start": kodlistor.SYSSELSATTNING.get(a.sysselsattning_start or "", "–"),
            "Utbildningsnivå": kodlistor.UTBILDNINGSNIVA.get(a.utbildningsniva or "", "–"),
            "Tid i offentligt stöd": kodlistor.TID_I_OFFENTLIGT_STOD.get(a.tid_i_offentligt_stod or "", "–"),
            "Slutdatum": a.avslutad_den.isoformat() if a.avslutad_den else "–",
            "Avslutsorsak": kodlistor.AVSLUTSORSAK.get(a.avslutsorsak or "", "–"),
            "Försörjning vid avslut": kodlistor.FORSORJNING.get(a.forsorjning_slut or "", "–"),
            "Sysselsättning vid avslut": kodlistor.SYSSELSATTNING.get(a.sysselsattning_slut or "", "–"),
        }


def _team(user: User, team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    policy.require_finsam(user, team)
    return team


def insats_namn(insats: Insats) -> str:
    if insats.form == InsatsForm.SAMCOACH:
        return f"Samcoach från {insats.startad.isoformat()}"
    return f"{insats.insatstyp.namn if insats.insatstyp else 'Insats'} från {insats.startad.isoformat()}"


def _berattigade(team_id: int):
    return (
        select(Arende, Deltagare, FinsamRegistrering)
        .join(Deltagare, Deltagare.id == Arende.deltagare_id)
        .outerjoin(FinsamRegistrering, FinsamRegistrering.arende_id == Arende.id)
        .where(Arende.team_id == team_id, Arende.aktualiserad_den.is_not(None),
               Arende.status != wf.ATERKALLAD,
               (Arende.avslutsorsak.is_(None)) | (Arende.avslutsorsak.not_in([FELREG, "samtycke_aterkallat"])))
    )


def _insatser(team_id: int, arende_ids: set[int]) -> dict[int, list]:
    """The started insatser (not ordinary services) of the listed ärenden, with their
    Finsam registration: one query."""
    ut: dict[int, list] = {}
    rader = db.session.execute(
        select(Insats, FinsamInsatsRegistrering)
        .outerjoin(FinsamInsatsRegistrering, FinsamInsatsRegistrering.insats_id == Insats.id)
        .where(Insats.team_id == team_id, Insats.form != InsatsForm.ORDINARIE, Insats.startad.is_not(None))
        .options(joinedload(Insats.insatstyp))
        .order_by(Insats.startad, Insats.id)
    ).all()
    for insats, reg in rader:
        if insats.arende_id in arende_ids:
            ut.setdefault(insats.arende_id, []).append((insats, reg))
    return ut


def avstamning(user: User, team_id: int, *, handling: str = "finsam.visa") -> tuple[Team, list[FinsamRad]]:
    """The team's entitled ärenden with their data and registration state (one query);
    the look (or the export) is audited."""
    team = _team(user, team_id)
    rader = [FinsamRad(a, d, r) for a, d, r in
             db.session.execute(_berattigade(team_id).order_by(Arende.aktualiserad_den, Arende.id))]
    insatser = _insatser(team_id, {r.arende.id for r in rader})
    for r in rader:
        r.insatser = insatser.get(r.arende.id, [])
    # The team's row, and one per ärende shown in that ärende's own trail: one INSERT.
    falt = ["personnummer", "start", "slut"]
    audit.record(handling, "team", team_id, user_id=user.id, falt=falt)
    audit.record_many(handling, "arende", [r.arende.id for r in rader if r.arende.id], user_id=user.id, falt=falt)
    return team, rader


def till_csv(rader: list[FinsamRad]) -> str:
    """The list as CSV for entering in Uppföljning Finsam (same conventions as the reports'
    CSV: UTF-8 with BOM, ``;``)."""
    ut = io.StringIO()
    w = csv.writer(ut, delimiter=";", lineterminator="\r\n")
    falt = list(rader[0].falt()) if rader else []
    w.writerow(["Referens", "Personnummer", "Kön", "Födelseår", *falt, "Start registrerad", "Avslut registrerat",
                "Läge", "Insatser (in/ut registrerad)", "Skiljer sig från Finsam"])
    for r in rader:
        reg = r.registrering
        insatser = " | ".join(
            f"{insats_namn(i)}: in {ir.in_registrerad.isoformat() if ir and ir.in_registrerad else 'nej'}, "
            f"ut {ir.ut_registrerad.isoformat() if ir and ir.ut_registrerad else ('nej' if i.avslutad else 'pågår')}"
            for i, ir in r.insatser)
        w.writerow([csv_text(v) for v in (
            r.arende.referens, r.identitet, r.kon, r.deltagare.fodelsear, *r.falt().values(),
            reg.start_registrerad.isoformat() if reg and reg.start_registrerad else "",
            reg.slut_registrerad.isoformat() if reg and reg.slut_registrerad else "",
            STATUS_LABELS[r.status], insatser, "; ".join(r.skillnader()))])
    anonyma = sum(1 for r in rader if not r.deltagare.personnummer)
    w.writerow([])
    w.writerow(["Deltagare", len(rader)])
    w.writerow(["Varav anonyma (utan personnummer)", anonyma])
    return "\ufeff" + ut.getvalue()


def markera_insats(user: User, team_id: int, insats_id: int, del_: str) -> FinsamInsatsRegistrering:
    """Mark an insats as registered in (started) or out (ended) in Uppföljning Finsam today."""
    _team(user, team_id)
    if del_ not in ("in", "ut"):
        raise DomainError("ogiltig_del", "Välj inskrivning eller utskrivning.", field="del")
    rad = db.session.execute(
        select(Insats, FinsamInsatsRegistrering)
        .outerjoin(FinsamInsatsRegistrering, FinsamInsatsRegistrering.insats_id == Insats.id)
        .where(Insats.id == insats_id, Insats.team_id == team_id, Insats.form != InsatsForm.ORDINARIE,
               Insats.startad.is_not(None), Insats.arende_id.in_(_berattigade(team_id).with_only_columns(Arende.id)))
    ).first()
    if rad is None:
        raise NotFound("Insatsen finns inte bland teamets insatser som kan registreras.")
    insats, reg = rad
    if del_ == "ut" and insats.avslutad is None:
        raise DomainError("ej_avslutad", "Insatsen pågår; utskrivningen kan inte registreras ännu.", field="del")
    if reg is None:
        reg = FinsamInsatsRegistrering(insats_id=insats.id, registrerad_av_id=user.id)
        db.session.add(reg)
    if del_ == "in":
        reg.in_registrerad = clock.today()
    else:
        reg.ut_registrerad = clock.today()
    reg.registrerad_av_id = user.id
    db.session.flush()
    audit.record("finsam.registrera", "arende", insats.arende_id, user_id=user.id, falt=[f"insats_{del_}"])
    return reg


def markera(user: User, team_id: int, arende_id: int, del_: str) -> FinsamRegistrering:
    """Mark the start or the end data as registered in Uppföljning Finsam today."""
    _team(user, team_id)
    if del_ not in ("start", "slut"):
        raise DomainError("ogiltig_del", "Välj start eller avslut.", field="del")
    rad = db.session.execute(_berattigade(team_id).where(Arende.id == arende_id)).first()
    if rad is None:
        raise NotFound("Ärendet finns inte bland teamets deltagare som kan registreras.")
    arende, _, reg = rad
    if del_ == "slut" and arende.avslutad_den is None:
        raise DomainError("ej_avslutat", "Ärendet är inte avslutat; avslutet kan inte registreras ännu.", field="del")
    if reg is None:
        reg = FinsamRegistrering(arende_id=arende.id, registrerad_av_id=user.id)
        db.session.add(reg)
    idag: dt.date = clock.today()
    if del_ == "start":
        reg.start_registrerad = idag
    else:
        reg.slut_registrerad = idag
    reg.registrerad_av_id = user.id
    db.session.flush()
    audit.record("finsam.registrera", "arende", arende.id, user_id=user.id, falt=[del_])
    return reg
