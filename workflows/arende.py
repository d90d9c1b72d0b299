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
# Registered by mistake: its own end state, never counted as a closed case in statistics.
FELREGISTRERAD = "felregistrerad"

STATES = [UTKAST, AKTUALISERAD, PA_AGENDA, SAMPLANERAD, I_KO, I_INSATS, UPPFOLJNING,
          AVSLUTAD, ATERKALLAD, FELREGISTRERAD]
INITIAL = UTKAST
# Submitted and not closed: consent withdrawal and avslut apply from any of these.
OPEN = [AKTUALISERAD, PA_AGENDA, SAMPLANERAD, I_KO, I_INSATS, UPPFOLJNING]
FINAL = [AVSLUTAD, FELREGISTRERAD]
# Closed: nothing more happens to the case (avslut or felregistrering).
STANGDA = [AVSLUTAD, FELREGISTRERAD]

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
    FELREGISTRERAD: "Felregistrerad",
}


# Who may fire a row: the entrance the request comes through. A trigger fired through
# another entrance is refused, whoever the user is: a meeting's triggers need the
# meeting's facts (the booked agenda item, the insats decided there), which only the
# meeting's own services write before they fire.
ARENDE = "arende"  # the case page or the JSON API: a user acting on the ärende
MOTE = "mote"  # the agenda builder and meeting mode (samverkan.moten, samverkan.samplanering)
INSATSER = "insatser"  # the team's queue page: a place offered in queue order, confirmed
SCHEMA = "schema"  # the scheduler's job (samverkan.uppfoljning.jobs)
KANALER = {
    ARENDE: "ärendesidan eller API:t",
    MOTE: "dagordningen eller mötesläget",
    INSATSER: "teamets kö",
    SCHEMA: "schemaläggaren",
}


class Row(NamedTuple):
    trigger: str
    source: tuple[str, ...]
    dest: str
    guards: tuple[str, ...] = ()
    via: tuple[str, ...] = (ARENDE,)


def _row(trigger, source, dest, *guards, via=(ARENDE,)) -> Row:
    return Row(trigger, tuple([source] if isinstance(source, str) else source), dest, guards,
               tuple([via] if isinstance(via, str) else via))


# fmt: off
TRANSITIONS: list[Row] = [
    #     trigger                   from                              to              guards                                              via
    _row("aktualisera",            UTKAST,                           AKTUALISERAD,   "har_fragestallning", "har_giltigt_samtycke",
                                                                                      "samtycke_omfattar_parter",
                                                                                      "inget_annat_oppet_arende",  via=ARENDE),
    _row("placera_pa_agenda",      [AKTUALISERAD, UPPFOLJNING],      PA_AGENDA,      "samtycke_tacker_motet",                             via=MOTE),
    _row("bordlagg",               PA_AGENDA,                        AKTUALISERAD,   "ar_nytt",                                           via=MOTE),
    _row("bordlagg",               PA_AGENDA,                        UPPFOLJNING,    "ar_foljt",                                          via=MOTE),
    _row("samplanera",             PA_AGENDA,                        SAMPLANERAD,    "ar_nytt", "samtycke_galler",                        via=MOTE),
    _row("folj_upp",               PA_AGENDA,                        I_INSATS,       "ar_foljt", "samtycke_galler",                       via=MOTE),
    # Also fired when an ärende waiting in i_ko gets a further insats with a free place
    # started beside the queued one (insatser.services.starta, via INSATSER): it now holds
    # an insats. A further insats started in i_insats or uppfoljning is no transition at
    # all (PARALLELL_INSATS below): the ärende keeps its state.
    _row("anvisa_insats",          [SAMPLANERAD, I_KO],              I_INSATS,       "insats_har_plats",                                  via=(MOTE, INSATSER)),
    _row("satt_i_ko",              [SAMPLANERAD, I_INSATS],          I_KO,           "insats_ar_full",                                    via=MOTE),
    _row("kalla_till_uppfoljning", I_INSATS,                         UPPFOLJNING,                                                         via=(ARENDE, SCHEMA)),
    _row("avsluta",                OPEN,                             AVSLUTAD,       "har_avslutsorsak", "har_slutdata",
                                                                                      "overlamning_giltig",                               via=ARENDE),
    _row("avsluta",                ATERKALLAD,                       AVSLUTAD,       "har_avslutsorsak", "overlamning_giltig",            via=ARENDE),
    _row("aterkalla",              OPEN,                             ATERKALLAD,                                                          via=ARENDE),
    _row("felregistrera",          [UTKAST, *OPEN],                  FELREGISTRERAD, "har_kommentar",                                     via=ARENDE),
]
# fmt: on

# Where a further insats may be started beside the open ones (issue 16, parallel
# insatser): an ärende already in its insatser or waiting for one. Not a transition; the
# ärende keeps its state, except i_ko -> i_insats (anvisa_insats) when the new one has a
# place. Before samplanering the meeting decides the first insats (anvisa_insats, satt_i_ko).
PARALLELL_INSATS = [I_KO, I_INSATS, UPPFOLJNING]

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
    "samtycke_omfattar_parter": (
        "Samtycket måste omfatta den aktualiserande parten och minst en part till "
        "(alla teamets parter, om teamet kräver det)."
    ),
    "inget_annat_oppet_arende": "Deltagaren har redan ett öppet ärende i teamet.",
    "samtycke_tacker_motet": (
        "Samtycket täcker inte mötet: ärendet måste vara bokat på ett kommande möte, och "
        "samtycket måste gälla på mötesdagen och omfatta de parter teamet kräver."
    ),
    "samtycke_galler": "Samtycket gäller inte i dag; förnya det innan teamet behandlar ärendet.",
    "ar_nytt": "Ärendet följs redan upp; använd uppföljning i stället.",
    "ar_foljt": "Ärendet har inte samplanerats ännu.",
    "insats_har_plats": "Ärendet har ingen beslutad insats med plats; den beslutas i mötesläget "
                        "eller bekräftas i teamets kö.",
    "insats_ar_full": "Ärendet har ingen insats som väntar i kö.",
    "har_avslutsorsak": "Ange en avslutsorsak.",
    "har_slutdata": "Ange försörjning och sysselsättning vid avslut.",
    "har_kommentar": "Skriv en kommentar som förklarar felregistreringen.",
    "overlamning_giltig": "Överlämningen anges helt (vem, hur och när) eller inte alls; "
                          "efter återkallat samtycke inte alls.",
}
# A guard that reads several fields says, per missing field, what is missing there: the
# form marks each one, and its error summary does not repeat one sentence.
GUARD_FIELD_MESSAGES = {
    "har_slutdata": {"forsorjning_slut": "Ange försörjning vid avslut.",
                     "sysselsattning_slut": "Ange sysselsättning vid avslut."},
    "overlamning_giltig": {"overlamning_vem": "Överlämning: ange vem eller vilken aktör som tar över.",
                           "overlamning_part_id": "Överlämning: välj en av förbundets parter, eller ingen.",
                           "overlamning_hur": "Överlämning: ange hur överlämningen går till.",
                           "overlamning_nar": "Överlämning: ange när (ÅÅÅÅ-MM-DD)."},
}


def via(trigger: str) -> set[str]:
    """The entrances any row of ``trigger`` may be fired through."""
    return {k for row in TRANSITIONS if row.trigger == trigger for k in row.via}


def triggers_from(state: str) -> list[str]:
    """Triggers that have a row starting in ``state``, in table order, without repeats."""
    seen: list[str] = []
    for row in TRANSITIONS:
        if state in row.source and row.trigger not in seen:
            seen.append(row.trigger)
    return seen
