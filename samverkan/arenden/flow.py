"""The ärende state machine: binds ``workflows.arende`` to ``transitions``.

One ``Machine`` is built at import with no model; an ``ArendeFlow`` wraps one Arende and
fires events on that shared machine directly, so binding costs nothing per instance
(see bench/bench_flow.py for the measurement). Guards are methods here; each records why
it refused so the caller gets one DomainError with a Swedish message.

A trigger changes the state, bumps the version (optimistic lock) and writes the history
row and the audit entry in the caller's transaction, then flushes. It never commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace

from sqlalchemy.orm.exc import StaleDataError
from transitions import Machine

from samverkan.arenden.kodlistor import AVSLUTSORSAK, FORSORJNING, SYSSELSATTNING
from samverkan.arenden.models import Arende, ArendeHandelse
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import Conflict, DomainError, Valideringsfel
from samverkan.core.html import text_content
from samverkan.forbund.models import team_part
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
        **context,
    ) -> ArendeHandelse:
        """Run ``trigger`` or raise DomainError; on refusal nothing has changed."""
        arende = self.arende
        if forvantad_version is not None and forvantad_version != arende.version:
            raise Conflict(STALE_MESSAGE)
        event = MACHINE.events.get(trigger)
        if event is None or trigger not in wf.triggers_from(arende.status):
            raise DomainError(
                "otillaten_overgang",
                f"Åtgärden ”{wf.TRIGGER_LABELS.get(trigger, trigger)}” går inte när "
                f"ärendet har status ”{wf.STATE_LABELS[arende.status]}”.",
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
        return self._write_history(trigger, fran, aktor_id, datum, kommentar, korrigering=False)

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

    def samtycke_tacker_motet(self, event) -> bool:
        motesdatum: dt.date | None = event.kwargs.get("motesdatum")
        s = self.arende.samtycke
        holds = (
            motesdatum is not None
            and s is not None
            and s.galler(motesdatum)
            and s.galler(event.kwargs["datum"])
            and s.tacker(team_part_ids(self.arende.team_id))
        )
        return self._guard("samtycke_tacker_motet", holds)

    def ar_nytt(self, event) -> bool:
        return self._guard("ar_nytt", self.arende.forsta_samplanering is None)

    def ar_foljt(self, event) -> bool:
        return self._guard("ar_foljt", self.arende.forsta_samplanering is not None)

    def insats_har_plats(self, event) -> bool:
        return self._guard("insats_har_plats", event.kwargs.get("ledig_plats", True))

    def insats_ar_full(self, event) -> bool:
        return self._guard("insats_ar_full", not event.kwargs.get("ledig_plats", True))

    def har_avslutsorsak(self, event) -> bool:
        return self._guard("har_avslutsorsak", event.kwargs.get("avslutsorsak") in AVSLUTSORSAK,
                           "avslutsorsak")

    def har_slutdata(self, event) -> bool:
        saknas = [falt for falt, lista in (("forsorjning_slut", FORSORJNING),
                                           ("sysselsattning_slut", SYSSELSATTNING))
                  if event.kwargs.get(falt) not in lista]
        self._refusals += [(wf.GUARD_FIELD_MESSAGES["har_slutdata"][falt], falt) for falt in saknas]
        return not saknas

    def har_kommentar(self, event) -> bool:
        return self._guard("har_kommentar", bool(event.kwargs.get("kommentar", "").strip()))


def team_part_ids(team_id: int) -> set[int]:
    """The parties a team's consent must cover: those the förbund's admin seated in it
    (``team_part``; migration 0010 filled it from each team's ledamöter)."""
    return set(db.session.execute(
        db.select(team_part.c.part_id).where(team_part.c.team_id == team_id)
    ).scalars())
