"""Fixed code lists for start and end data, so before/after can be counted.

Values are stored (ASCII); labels are shown. Order is the order in forms.
"""

from __future__ import annotations

from wtforms import SelectChoice

FORSORJNING = {
    "forsorjningsstod": "Försörjningsstöd",
    "aktivitetsstod": "Aktivitetsstöd",
    "a_kassa": "A-kassa",
    "sjukpenning": "Sjukpenning",
    "rehabiliteringspenning": "Rehabiliteringspenning",
    "aktivitetsersattning": "Aktivitetsersättning",
    "sjukersattning": "Sjukersättning",
    "lon": "Lön",
    "lonebidrag": "Lönebidrag / subventionerad anställning",
    "csn": "Studiemedel (CSN)",
    "ingen": "Ingen (försörjs av anhörig)",
    "annan": "Annan",
}

SYSSELSATTNING = {
    "ingen": "Ingen sysselsättning",
    "ami": "AME/AMI-aktivitet",
    "lss_daglig_verksamhet": "Daglig verksamhet (LSS)",
    "af_program": "Stöd eller program via Arbetsförmedlingen",
    "arbetstraning": "Arbetsträning",
    "praktik": "Praktik",
    "studier": "Studier",
    "arbete_med_stod": "Arbete med stöd",
    "arbete": "Arbete",
    "annan": "Annan",
}

UTBILDNINGSNIVA = {
    "forgymnasial_ej_fullstandig": "Förgymnasial, ej fullständig",
    "forgymnasial": "Förgymnasial (grundskola)",
    "gymnasial": "Gymnasial",
    "eftergymnasial": "Eftergymnasial",
    "okand": "Okänd",
}

# How long the person has had public support for their living (at aktualisering).
TID_I_OFFENTLIGT_STOD = {
    "under_1_ar": "Mindre än 1 år",
    "1_3_ar": "1–3 år",
    "3_5_ar": "3–5 år",
    "over_5_ar": "Mer än 5 år",
    "okand": "Okänd",
}

AVSLUTSORSAK = {
    "arbete": "Arbete",
    "studier": "Studier",
    "arbetssokande": "Arbetssökande",
    "fortsatt_rehabilitering": "Fortsatt rehabilitering",
    # As the förbund's reports write them (issue 17): own business, and sickness compensation
    # (a clarified benefit from FK), apart from plain sickness that broke the insats off.
    "eget_foretag": "Eget företag",
    "sjukersattning": "Sjukersättning",
    "annan_insats": "Annan arbetsförberedande insats",
    "sjukdom": "Sjukdom",
    "flyttat": "Flyttat",
    "eget_onskemal": "Eget önskemål",
    "samtycke_aterkallat": "Samtycke återkallat",
    "felregistrering": "Felregistrering",
    "annan": "Annan orsak",
}

# Where the person stands at the check months after avslut (samverkan.efterkontroll):
# the avslut's outcome codes where they mean the same, so before and after compare.
EFTERKONTROLL_UTFALL = {
    "arbete": "I arbete",
    "studier": "I studier",
    "eget_foretag": "Eget företag",
    "arbetssokande": "Arbetssökande",
    "fortsatt_rehabilitering": "I fortsatt rehabilitering",
    "sjukersattning": "Sjukersättning",
    "annan": "Annat",
    "okant": "Okänt / ej nåbar",
}


def choices(kodlista: dict[str, str], *, blank: str | None = "– Välj –") -> list[SelectChoice]:
    """Form choices for a code list, optionally led by an empty "choose" option."""
    leading = [SelectChoice("", blank)] if blank is not None else []
    return leading + [SelectChoice(value, label) for value, label in kodlista.items()]
