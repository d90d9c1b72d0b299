"""The ärende's life, as one table.

Each row: trigger (a Swedish verb; it appears in history and UI), the states it may
start from, where it leads, and the guards that must all hold. A trigger may have two
rows with complementary guards (a new case vs. one being followed up). The package's
``samverkan.arenden.flow`` binds this table to ``transitions`` and implements the guards.
"""

from __future__ import annotations

from typing import NamedTuple

UTKAST = "utkast"
AKTUALISERAD = "aktualiserad"
PA_AGENDA = "pa_agenda"
SAMPLANERAD = "samplanerad"
I_KO = "i_ko"
I_INSATS = "i_insats"
UPPFOLJNING = "uppfoljning"
AVSLUTAD = "avslutad"
ATERKALLAD = "aterkallad"

STATES = [UTKAST, AKTUALISERAD, PA_AGENDA, SAMPLANERAD, I_KO, I_INSATS, UPPFOLJNING,
          AVSLUTAD, ATERKALLAD]
INITIAL = UTKAST
# Submitted and not closed: consent withdrawal and avslut apply from any of these.
OPEN = [AKTUALISERAD, PA_AGENDA, SAMPLANERAD, I_KO, I_INSATS, UPPFOLJNING]
FINAL = [AVSLUTAD]

STATE_LABELS = {
    UTKAST: "Utkast",
    AKTUALISERAD: "Aktualiserad",
    PA_AGENDA: "På agenda",
    SAMPLANERAD: "Samplanerad",
    I_KO: "I kö",
    I_INSATS: "I insats",
    UPPFOLJNING: "Uppföljning",
    AVSLUTAD: "Avslutad",
    ATERKALLAD: "Samtycke återkallat",
}


class Row(NamedTuple):
    trigger: str
    source: tuple[str, ...]
    dest: str
    guards: tuple[str, ...] = ()


def _row(trigger, source, dest, *guards) -> Row:
    return Row(trigger, tuple([source] if isinstance(source, str) else source), dest, guards)


# fmt: off
TRANSITIONS: list[Row] = [
    #     trigger                   from                              to            guards
    _row("aktualisera",            UTKAST,                           AKTUALISERAD, "har_fragestallning", "har_giltigt_samtycke"),
    _row("placera_pa_agenda",      [AKTUALISERAD, UPPFOLJNING],      PA_AGENDA,    "samtycke_tacker_motet"),
    _row("bordlagg",               PA_AGENDA,                        AKTUALISERAD, "ar_nytt"),
    _row("bordlagg",               PA_AGENDA,                        UPPFOLJNING,  "ar_foljt"),
    _row("samplanera",             PA_AGENDA,                        SAMPLANERAD,  "ar_nytt"),
    _row("folj_upp",               PA_AGENDA,                        I_INSATS,     "ar_foljt"),
    _row("anvisa_insats",          [SAMPLANERAD, I_KO],              I_INSATS,     "insats_har_plats"),
    _row("satt_i_ko",              [SAMPLANERAD, I_INSATS],          I_KO,         "insats_ar_full"),
    _row("kalla_till_uppfoljning", I_INSATS,                         UPPFOLJNING),
    _row("avsluta",                OPEN,                             AVSLUTAD,     "har_avslutsorsak", "har_slutdata"),
    _row("avsluta",                ATERKALLAD,                       AVSLUTAD,     "har_avslutsorsak"),
    _row("aterkalla",              OPEN,                             ATERKALLAD),
    _row("felregistrera",          [UTKAST, *OPEN],                  AVSLUTAD,     "har_kommentar"),
]
# fmt: on

TRIGGER_LABELS = {
    "aktualisera": "Aktualisera",
    "placera_pa_agenda": "Placera på agenda",
    "bordlagg": "Bordlägg (ej hunnet)",
    "samplanera": "Samplanera",
    "folj_upp": "Följ upp",
    "anvisa_insats": "Anvisa insats",
    "satt_i_ko": "Sätt i kö",
    "kalla_till_uppfoljning": "Kalla till uppföljning",
    "avsluta": "Avsluta",
    "aterkalla": "Registrera återkallat samtycke",
    "felregistrera": "Felregistrering",
    # Not a transition of the machine: an admin's correction, always with a reason.
    "korrigera": "Administrativ korrigering",
}

# Why a guard refused, in words for the user. Every guard in TRANSITIONS has one.
GUARD_MESSAGES = {
    "har_fragestallning": "Frågeställningen saknas. Skriv vad teamet ska ta ställning till.",
    "har_giltigt_samtycke": "Det finns inget giltigt samtycke för ärendet.",
    "samtycke_tacker_motet": (
        "Samtycket täcker inte mötet: det måste gälla på mötesdagen och omfatta "
        "alla teamets parter."
    ),
    "ar_nytt": "Ärendet följs redan upp; använd uppföljning i stället.",
    "ar_foljt": "Ärendet har inte samplanerats ännu.",
    "insats_har_plats": "Insatsen har ingen ledig plats; sätt ärendet i kö.",
    "insats_ar_full": "Insatsen har ledig plats; anvisa den direkt.",
    "har_avslutsorsak": "Ange en avslutsorsak.",
    "har_slutdata": "Ange försörjning och sysselsättning vid avslut.",
    "har_kommentar": "Skriv en kommentar som förklarar felregistreringen.",
}
# A guard that reads several fields says, per missing field, what is missing there: the
# form marks each one, and its error summary does not repeat one sentence.
GUARD_FIELD_MESSAGES = {
    "har_slutdata": {"forsorjning_slut": "Ange försörjning vid avslut.",
                     "sysselsattning_slut": "Ange sysselsättning vid avslut."},
}


def triggers_from(state: str) -> list[str]:
    """Triggers that have a row starting in ``state``, in table order, without repeats."""
    seen: list[str] = []
    for row in TRANSITIONS:
        if state in row.source and row.trigger not in seen:
            seen.append(row.trigger)
    return seen
