"""Uppföljning Finsam (the successor of SUS): per deltagare the start and end data the
national follow-up needs, and which of them have been registered there.

Individual-level: only the team's projektledare (who has details access to every ärende
of the team) sees it, never the styrgrupp or the admin, and every look is audited.
Who is entitled to registration: an ärende that was aktualiserat, not felregistrerat,
with a personnummer or samordningsnummer (registration needs one; an anonymous code
cannot be registered) and consent not withdrawn.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import select

from samverkan.arenden import kodlistor
from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError, NotFound
from samverkan.deltagare.models import KON_LABELS, Deltagare
from samverkan.forbund.models import Team
from samverkan.rapporter.models import FinsamRegistrering
from samverkan.rapporter.queries import FELREG
from workflows import arende as wf

STATUS_LABELS = {
    "start_saknas": "Start ej registrerad",
    "slut_saknas": "Avslut ej registrerat",
    "klar": "Registrerad",
    "pagar": "Start registrerad, pågår",
}


@dataclass
class FinsamRad:
    arende: Arende
    deltagare: Deltagare
    registrering: FinsamRegistrering | None

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


def _berattigade(team_id: int):
    return (
        select(Arende, Deltagare, FinsamRegistrering)
        .join(Deltagare, Deltagare.id == Arende.deltagare_id)
        .outerjoin(FinsamRegistrering, FinsamRegistrering.arende_id == Arende.id)
        .where(Arende.team_id == team_id, Arende.aktualiserad_den.is_not(None),
               Arende.status != wf.ATERKALLAD, Deltagare.personnummer.is_not(None),
               (Arende.avslutsorsak.is_(None)) | (Arende.avslutsorsak.not_in([FELREG, "samtycke_aterkallat"])))
    )


def avstamning(user: User, team_id: int, *, handling: str = "finsam.visa") -> tuple[Team, list[FinsamRad]]:
    """The team's entitled ärenden with their data and registration state (one query);
    the look (or the export) is audited."""
    team = _team(user, team_id)
    rader = [FinsamRad(a, d, r) for a, d, r in
             db.session.execute(_berattigade(team_id).order_by(Arende.aktualiserad_den, Arende.id))]
    # The team's row, and one per ärende shown in that ärende's own trail: one INSERT.
    falt = ["personnummer", "start", "slut"]
    audit.record(handling, "team", team_id, user_id=user.id, falt=falt)
    audit.record_many(handling, "arende", [r.arende.id for r in rader], user_id=user.id, falt=falt)
    return team, rader


def till_csv(rader: list[FinsamRad]) -> str:
    """The list as CSV for entering in Uppföljning Finsam (same conventions as the reports'
    CSV: UTF-8 with BOM, ``;``)."""
    ut = io.StringIO()
    w = csv.writer(ut, delimiter=";", lineterminator="\r\n")
    falt = list(rader[0].falt()) if rader else []
    w.writerow(["Referens", "Personnummer", "Kön", "Födelseår", *falt, "Start registrerad", "Avslut registrerat",
                "Läge"])
    for r in rader:
        reg = r.registrering
        w.writerow([r.arende.referens, r.deltagare.personnummer, r.kon, r.deltagare.fodelsear, *r.falt().values(),
                    reg.start_registrerad.isoformat() if reg and reg.start_registrerad else "",
                    reg.slut_registrerad.isoformat() if reg and reg.slut_registrerad else "",
                    STATUS_LABELS[r.status]])
    return "\ufeff" + ut.getvalue()


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
