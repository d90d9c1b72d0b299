"""The ärende state machine: binds ``workflows.arende`` to ``transitions``.

One ``Machine`` is built at import with no model; an ``ArendeFlow`` wraps one Arende and
fires events on that shared machine directly, so binding costs nothing per instance
(see bench/bench_flow.py for the measurement). Guards are methods here; each records why
it refused so the caller gets one DomainError with a Swedish message.

A trigger changes the state, bumps the version (optimistic lock) and writes the history
row and the audit entry in the caller's transaction, then flushes. It never commits.

The flow is the only door. Each row of the table names the entrances (``via``) that may
fire it; the guards look their facts up in the database — the booked agenda item and its
meeting, the insats decided for the ärende and whether it holds a place — and never take
them from the caller, whose context may carry only what the user decides (the reason and
the end data of an avslut). What must follow a transition runs here, whoever fired it:
closing the ärende ends its insatser, takes it out of the queue and off every coming
agenda (which sends the tilläggskallelse), and an avslut records its handover and plans
the efterkontroll (``samverkan.efterkontroll.overlamning``).
"""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace

from sqlalchemy import bindparam
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.exc import StaleDataError
from transitions import Machine

from samverkan.arenden.kodlistor import AVSLUTSORSAK, FORSORJNING, SYSSELSATTNING
from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import Conflict, DomainError, Valideringsfel
from samverkan.core.html import text_content
from samverkan.core.svenska import svensk_ordning
from samverkan.deltagare.models import Samtycke
from samverkan.efterkontroll import overlamning
from samverkan.forbund.models import Part, Team, team_part
from samverkan.insatser.models import Insats, InsatsStatus
from samverkan.moten.models import Dagordningspunkt, Mote, PunktStatus
from workflows import arende as wf

log = logging.getLogger(__name__)

MACHINE = Machine(
    model=None,
    states=wf.STATES,
    initial=wf.INITIAL,
    transitions=[
        {"trigger": r.trigger, "source": list(r.source), "dest": r.dest, "conditions": list(r.guards)}
        for r in wf.TRANSITIONS
    ],
    auto_transitions=False,
    send_event=True,
)

STALE_MESSAGE = "Ärendet har ändrats av någon annan. Ladda om sidan och försök igen."

# What a caller may tell the flow: the user's own decisions. Facts (the meeting's date,
# whether a place is free, the queue order) are looked up by the guards; a caller that
# sends one is refused, so a forged fact never reaches a guard.
KONTEXT = frozenset({"avslutsorsak", "forsorjning_slut", "sysselsattning_slut", *overlamning.FALT})
# Triggers after which the ärende holds no insats, no place in the queue and no place on
# a coming agenda.
STANGER = frozenset({"avsluta", "felregistrera", "aterkalla"})


class ArendeFlow:
    """Wraps one Arende for the duration of a request."""

    def __init__(self, arende: Arende):
        self.arende = arende
        self._refusals: list[tuple[str, str | None]] = []

    # transitions reads and writes the state through this attribute.
    @property
    def state(self) -> str:
        return self.arende.status

    @state.setter
    def state(self, value: str) -> None:
        self.arende.status = value

    # --- what the UI may offer -------------------------------------------------
    def available_triggers(self) -> list[str]:
        return wf.triggers_from(self.arende.status)

    # --- firing ------------------------------------------------------------------
    def fire(
        self,
        trigger: str,
        *,
        aktor_id: int,
        datum: dt.date | None = None,
        kommentar: str = "",
        forvantad_version: int | None = None,
        kanal: str = wf.ARENDE,
        **context,
    ) -> ArendeHandelse:
        """Run ``trigger`` or raise DomainError; on refusal nothing has changed.

        ``kanal``: the entrance the request came through (``workflows.arende.KANALER``);
        the table says which may fire the trigger."""
        arende = self.arende
        okanda = sorted(set(context) - KONTEXT)
        if okanda:
            raise DomainError(
                "okand_uppgift",
                f"Uppgiften {', '.join(okanda)} tas inte emot: systemet hämtar själv det "
                "som åtgärden bygger på.", field=okanda[0])
        if forvantad_version is not None and forvantad_version != arende.version:
            raise Conflict(STALE_MESSAGE)
        self.kontrollera_tillstand(trigger)
        event = MACHINE.events[trigger]
        vagar = {k for r in wf.TRANSITIONS if r.trigger == trigger and arende.status in r.source
                 for k in r.via}
        if kanal not in vagar:
            raise DomainError(
                "fel_ingang",
                f"Åtgärden ”{wf.TRIGGER_LABELS[trigger]}” görs från "
                f"{' eller '.join(wf.KANALER[k] for k in sorted(vagar))}, inte här.",
            )
        datum = self._check_datum(datum)
        fran = arende.status
        self._refusals = []
        ok = event.trigger(self, datum=datum, kommentar=kommentar, **context)
        if not ok:
            raise self._vagran(trigger, fran, {"datum": datum, "kommentar": kommentar, **context})
        # No autoflush while the effects read related rows (the consent): the new state
        # is flushed once, in _write_history, where a concurrent change becomes a Conflict
        # (an autoflush here raised it as a bare StaleDataError, a 500).
        with db.session.no_autoflush:
            self._apply_effects(trigger, datum, context)
            if trigger == "avsluta":
                # The handover and the later check, whichever entrance closed the ärende.
                overlamning.vid_avslut(arende, aktor_id, datum, context, aterkallat=self._aterkallat(fran))
        handelse = self._write_history(trigger, fran, aktor_id, datum, kommentar, korrigering=False)
        if trigger in STANGER:
            self._stang(aktor_id, datum)
        return handelse

    def kontrollera_tillstand(self, trigger: str) -> None:
        """Refuse a trigger the table has no row for from the current state."""
        if MACHINE.events.get(trigger) is None or trigger not in wf.triggers_from(self.arende.status):
            raise DomainError(
                "otillaten_overgang",
                f"Åtgärden ”{wf.TRIGGER_LABELS.get(trigger, trigger)}” går inte när "
                f"ärendet har status ”{wf.STATE_LABELS[self.arende.status]}”.",
            )

    def korrigera(self, till: str, *, aktor_id: int, orsak: str,
                  forvantad_version: int | None = None) -> ArendeHandelse:
        """An admin's override to any state. Allowed only with a reason; logged as such.

        Who may call it is the policy's decision, made by the service before this.
        """
        if till not in wf.STATES:
            raise DomainError("okand_status", "Okänd status.")
        if not orsak.strip():
            raise DomainError("orsak_saknas", "En korrigering kräver en orsak.", field="orsak")
        if till == self.arende.status:
            # Nothing would change; a history row saying otherwise would mislead.
            raise DomainError("samma_status", "Ärendet har redan den statusen.")
        if forvantad_version is not None and forvantad_version != self.arende.version:
            raise Conflict(STALE_MESSAGE)
        fran = self.arende.status
        MACHINE.set_state(till, self)
        return self._write_history("korrigera", fran, aktor_id, clock.today(), orsak.strip(),
                                   korrigering=True)

    # --- internals ---------------------------------------------------------------
    def _check_datum(self, datum: dt.date | None) -> dt.date:
        today = clock.today()
        datum = datum or today
        if datum > today:
            raise DomainError("datum_i_framtiden", "Datumet kan inte ligga i framtiden.",
                              field="datum")
        senaste = max((h.galler_datum for h in self.arende.handelser), default=None)
        if senaste is not None and datum < senaste:
            raise DomainError(
                "datum_fore_forra",
                f"Datumet kan inte vara före förra händelsen ({senaste.isoformat()}).",
                field="datum",
            )
        return datum

    def _apply_effects(self, trigger: str, datum: dt.date, context: dict) -> None:
        a = self.arende
        if trigger == "aktualisera":
            a.aktualiserad_den = datum
        elif trigger == "samplanera" and a.forsta_samplanering is None:
            a.forsta_samplanering = datum
        elif trigger in ("avsluta", "felregistrera"):
            a.avslutad_den = datum
            a.avslutsorsak = "felregistrering" if trigger == "felregistrera" else context["avslutsorsak"]
            if trigger == "avsluta":
                a.forsorjning_slut = context.get("forsorjning_slut")
                a.sysselsattning_slut = context.get("sysselsattning_slut")
        elif trigger == "aterkalla" and a.samtycke is not None and a.samtycke.aterkallat is None:
            a.samtycke.aterkallat = clock.now()

    def _stang(self, aktor_id: int, datum: dt.date) -> None:
        """The ärende closed or its consent was withdrawn: its insatser end and it leaves
        the queue (a freed samcoach place goes to the first in line), and it leaves every
        agenda not yet held — the meeting's agenda version changes, so a kallelse already
        sent is followed by a tilläggskallelse."""
        from samverkan.insatser import services as insats_services

        aktor = db.session.get(User, aktor_id)
        insats_services.arende_stangt(aktor, self.arende)
        punkter = db.session.execute(
            db.select(Dagordningspunkt).join(Mote, Mote.id == Dagordningspunkt.mote_id)
            .where(Dagordningspunkt.arende_id == self.arende.id, Dagordningspunkt.utfall.is_(None),
                   Mote.installt.is_(None), Mote.starttid > clock.now())
        ).scalars().all()
        from samverkan.moten.tider import berakna_tidsluckor

        for punkt in punkter:
            mote, bokad = punkt.mote, punkt.status == PunktStatus.BOKAD
            db.session.delete(punkt)
            db.session.flush()
            if bokad:
                # The items after it move up; the kallelse scheduler sees the new version.
                mote.agendaversion += 1
                berakna_tidsluckor(mote, db.session.execute(
                    db.select(Dagordningspunkt).where(Dagordningspunkt.mote_id == mote.id,
                                                      Dagordningspunkt.status == PunktStatus.BOKAD)
                ).scalars().all())
            audit.record("mote.dagordning.ta_bort", "mote", mote.id, user_id=aktor_id, falt=["dagordning"])
        db.session.flush()

    def _write_history(self, trigger, fran, aktor_id, datum, kommentar, *, korrigering):
        handelse = ArendeHandelse(
            arende=self.arende,
            trigger=trigger,
            fran_status=fran,
            till_status=self.arende.status,
            aktor_id=aktor_id,
            galler_datum=datum,
            kommentar=kommentar,
            ar_korrigering=korrigering,
        )
        db.session.add(handelse)
        audit.record(f"arende.{trigger}", "arende", self.arende.id, user_id=aktor_id,
                     falt=["status"])
        try:
            db.session.flush()
        except StaleDataError:
            raise Conflict(STALE_MESSAGE) from None
        log.info("arende %s: %s %s -> %s", self.arende.id, trigger, fran, self.arende.status)
        return handelse

    def _vagran(self, trigger: str, fran: str, kwargs: dict) -> DomainError:
        """Why ``trigger`` was refused, all of it. ``transitions`` stops at the first guard
        that fails, so every guard of the trigger's rows from this state is asked again
        (they only read): a form then marks each missing field at once."""
        self._refusals = []
        event = SimpleNamespace(kwargs=kwargs)
        for rad in wf.TRANSITIONS:
            if rad.trigger == trigger and fran in rad.source:
                for guard in rad.guards:
                    getattr(self, guard)(event)
        per_falt: dict[str, str] = {}
        for message, falt in self._refusals:
            if falt:
                per_falt.setdefault(falt, message)
        if len(per_falt) > 1:
            return Valideringsfel(per_falt, code="villkor_ej_uppfyllt")
        message, falt = self._refusals[0] if self._refusals else ("Åtgärden är inte tillåten nu.", None)
        return DomainError("villkor_ej_uppfyllt", message, field=falt)

    # --- guards (names from workflows.arende; each records why it refused) --------
    def _guard(self, name: str, holds: bool, falt: str | None = None) -> bool:
        """``falt``: the form field the refusal belongs beside, if one does."""
        if not holds:
            self._refusals.append((wf.GUARD_MESSAGES[name], falt))
        return holds

    def har_fragestallning(self, event) -> bool:
        return self._guard("har_fragestallning", bool(text_content(self.arende.fragestallning).strip()))

    def har_giltigt_samtycke(self, event) -> bool:
        s = self.arende.samtycke
        return self._guard("har_giltigt_samtycke", s is not None and s.galler(event.kwargs["datum"]))

    def samtycke_omfattar_parter(self, event) -> bool:
        fel = saknade_parter(self.arende.samtycke, self.arende)
        if fel is not None:
            self._refusals.append((fel, "parter"))
        return fel is None

    def inget_annat_oppet_arende(self, event) -> bool:
        """One open ärende per person and team, unless the team allows parallel ones: the
        refusal names the open one (its reference code and page), which the team's
        members know by reference anyway."""
        a = self.arende
        if db.session.scalar(db.select(Team.parallella_arenden).where(Team.id == a.team_id)):
            return True
        oppet = db.session.execute(
            db.select(Arende.id, Arende.referens)
            .where(Arende.team_id == a.team_id, Arende.deltagare_id == a.deltagare_id,
                   Arende.status.in_(wf.OPEN), Arende.id != a.id)
            .order_by(Arende.id).limit(1)).first()
        if oppet is not None:
            self._refusals.append((
                f"{wf.GUARD_MESSAGES['inget_annat_oppet_arende']} Arbeta vidare i {oppet.referens} "
                f"(/arenden/{oppet.id}) i stället för att aktualisera ett nytt.", "personnummer"))
        return oppet is None

    def samtycke_tacker_motet(self, event) -> bool:
        """The ärende's booked item on a meeting not yet over (looked up, never taken from
        the caller): the consent holds today and on that day, and covers the parties the
        team requires."""
        motesdatum = bokat_motesdatum(self.arende.id)
        s = self.arende.samtycke
        holds = (
            motesdatum is not None
            and s is not None
            and s.galler(motesdatum)
            and s.galler(event.kwargs["datum"])
            and saknade_parter(s, self.arende) is None
        )
        return self._guard("samtycke_tacker_motet", holds)

    def samtycke_galler(self, event) -> bool:
        s = self.arende.samtycke
        return self._guard("samtycke_galler", s is not None and s.galler(event.kwargs["datum"]))

    def ar_nytt(self, event) -> bool:
        return self._guard("ar_nytt", self.arende.forsta_samplanering is None)

    def ar_foljt(self, event) -> bool:
        return self._guard("ar_foljt", self.arende.forsta_samplanering is not None)

    def insats_har_plats(self, event) -> bool:
        """An insats decided for the ärende holds its place (started, or confirmed from
        the queue in its order)."""
        return self._guard("insats_har_plats", AKTIV in _insatsstatus(self.arende.id))

    def insats_ar_full(self, event) -> bool:
        """The insats decided for the ärende waits in the queue, and none holds a place."""
        status = _insatsstatus(self.arende.id)
        return self._guard("insats_ar_full", KO in status and not status & {AKTIV, ERBJUDEN})

    def har_avslutsorsak(self, event) -> bool:
        return self._guard("har_avslutsorsak", event.kwargs.get("avslutsorsak") in AVSLUTSORSAK,
                           "avslutsorsak")

    def har_slutdata(self, event) -> bool:
        saknas = [falt for falt, lista in (("forsorjning_slut", FORSORJNING),
                                           ("sysselsattning_slut", SYSSELSATTNING))
                  if event.kwargs.get(falt) not in lista]
        self._refusals += [(wf.GUARD_FIELD_MESSAGES["har_slutdata"][falt], falt) for falt in saknas]
        return not saknas

    def _aterkallat(self, status: str) -> bool:
        s = self.arende.samtycke
        return status == wf.ATERKALLAD or (s is not None and s.aterkallat is not None)

    def overlamning_giltig(self, event) -> bool:
        """A handover given whole (who, how, when; the party one of the förbund's), or none."""
        fel = overlamning.kontrollera(event.kwargs, forbund_id=self.arende.forbund_id,
                                      aterkallat=self._aterkallat(self.arende.status))
        self._refusals += [(meddelande, falt) for falt, meddelande in fel.items()]
        return not fel

    def har_kommentar(self, event) -> bool:
        return self._guard("har_kommentar", bool(event.kwargs.get("kommentar", "").strip()))


AKTIV, ERBJUDEN, KO = InsatsStatus.AKTIV, InsatsStatus.ERBJUDEN, InsatsStatus.KO


def _insatsstatus(arende_id: int) -> set[InsatsStatus]:
    return set(db.session.execute(
        db.select(Insats.status).where(Insats.arende_id == arende_id).distinct()).scalars())


def bokad_punkt(arende_id: int) -> Dagordningspunkt | None:
    """The ärende's booked item on the earliest meeting not cancelled and not before today
    (Stockholm): what it is placed on the agenda for."""
    return db.session.execute(_BOKAD_PUNKT, {"arende_id": arende_id, "borjan": bokad_borjan()}).scalar_one_or_none()


def bokad_borjan() -> dt.datetime:
    """``borjan`` of ``BOKAD_PUNKT_VILLKOR``: a booked meeting counts from the start of today."""
    from samverkan.moten.tider import lokal_starttid

    return lokal_starttid(clock.today(), dt.time(0, 0))


# Built once, the values bound per call: the case page asks on every request (issue 19).
# The conditions are shared with the case page's one statement for its meetings
# (``forberedelse.motesval``).
BOKAD_PUNKT_VILLKOR = (
    Dagordningspunkt.arende_id == bindparam("arende_id"), Dagordningspunkt.status == PunktStatus.BOKAD,
    Dagordningspunkt.utfall.is_(None), Mote.installt.is_(None), Mote.starttid >= bindparam("borjan"),
)
_BOKAD_PUNKT = (
    db.select(Dagordningspunkt).join(Mote, Mote.id == Dagordningspunkt.mote_id)
    .where(*BOKAD_PUNKT_VILLKOR)
    .options(contains_eager(Dagordningspunkt.mote))  # the caller reads the meeting
    .order_by(Mote.starttid, Mote.id).limit(1)
)


def bokat_motesdatum(arende_id: int) -> dt.date | None:
    punkt = bokad_punkt(arende_id)
    return clock.local(punkt.mote.starttid).date() if punkt is not None else None


def kraver_alla_parter(team_id: int) -> bool:
    """The team's stricter rule: consent must cover every party of the team."""
    return bool(db.session.scalar(db.select(Team.samtycke_alla_parter).where(Team.id == team_id)))


def saknade_parter(samtycke: Samtycke | None, arende) -> str | None:
    """Why the consent does not cover the parties the ärende needs, or None when it does:
    the aktualiserande party and at least one other (every party of the team under the
    stricter rule)."""
    return samtycke_parter_fel({p.id for p in samtycke.parter} if samtycke else set(),
                               arende.team_id, arende.aktualiserande_part_id)


def samtycke_parter_fel(part_ids: set[int], team_id: int, aktualiserande_part_id: int | None) -> str | None:
    team_parter = team_part_ids(team_id)
    if kraver_alla_parter(team_id):
        if not team_parter <= part_ids:
            return "Teamet kräver att samtycket omfattar alla teamets parter."
        return None
    if aktualiserande_part_id is not None and aktualiserande_part_id not in part_ids:
        return "Samtycket måste omfatta den aktualiserande parten."
    if not part_ids - {aktualiserande_part_id}:
        return "Samtycket måste omfatta minst en part till utöver den aktualiserande."
    return None


def team_parter(team_id: int) -> list[Part]:
    """The parties of ``team_part_ids``, by name: one query (the case page, the meeting
    page and the aktualisering form show them)."""
    return db.session.execute(_TEAM_PARTER, {"team_id": team_id}).scalars().all()


_TEAM_PARTER = (db.select(Part).join(team_part, team_part.c.part_id == Part.id)
                .where(team_part.c.team_id == bindparam("team_id"))
                .order_by(svensk_ordning(Part.namn), Part.id))
# The same parties as rows of what the case page reads (``forberedelse.team_parter``, issue 19).
TEAM_PARTER_RADER = _TEAM_PARTER.with_only_columns(Part.id, Part.namn, Part.typ)


def team_part_ids(team_id: int) -> set[int]:
    """The parties a team's consent must cover: those the förbund's admin seated in it
    (``team_part``; migration 0010 filled it from each team's ledamöter)."""
    return set(db.session.execute(
        db.select(team_part.c.part_id).where(team_part.c.team_id == team_id)
    ).scalars())
