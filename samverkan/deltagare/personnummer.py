"""Personnummer and samordningsnummer: parse, validate and normalise to 12 digits.

Our own small validator, because python-stdnum rejects samordningsnummer (day + 60).
Accepted forms: YYMMDD-NNNC, YYMMDD+NNNC (100 years or older), YYMMDDNNNC,
YYYYMMDD-NNNC and YYYYMMDDNNNC. The check digit is Luhn over the ten short digits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from samverkan.core import clock
from samverkan.core.errors import DomainError

# re.ASCII: \d would otherwise match any Unicode digit (fullwidth, Arabic-Indic), which
# int() accepts, so "１９８０…" passed and was stored as a second, different number.
_FORM = re.compile(r"^(\d{6}|\d{8})([-+]?)(\d{4})$", re.ASCII)


@dataclass(frozen=True)
class Identitetsnummer:
    nummer: str  # always 12 digits, no separator
    samordningsnummer: bool
    fodelsedatum: dt.date

    @property
    def formaterat(self) -> str:
        return f"{self.nummer[:8]}-{self.nummer[8:]}"


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def luhn_check_digit(nine: str) -> str:
    """The check digit that makes nine digits valid (used for fictional demo data)."""
    for c in "0123456789":
        if luhn_ok(nine + c):
            return c
    raise AssertionError("unreachable")


def _fel(message: str) -> DomainError:
    return DomainError("ogiltigt_personnummer", message, field="personnummer")


def parse(raw: str, *, today: dt.date | None = None) -> Identitetsnummer:
    """Validate and normalise, or raise DomainError with a Swedish message."""
    today = today or clock.today()
    text = (raw or "").strip().replace(" ", "")
    match = _FORM.match(text)
    if not match:
        raise _fel("Ange personnummer eller samordningsnummer med 10 eller 12 siffror, "
                   "t.ex. ÅÅÅÅMMDD-NNNN.")
    datepart, sep, tail = match.groups()
    if len(datepart) == 8 and sep == "+":
        raise _fel("Plustecken används bara med 10 siffror (ÅÅMMDD+NNNN).")

    short = datepart[-6:] + tail
    if not luhn_ok(short):
        raise _fel("Kontrollsiffran stämmer inte. Kontrollera numret.")

    month, day = int(datepart[-4:-2]), int(datepart[-2:])
    samordning = day > 60
    if samordning:
        day -= 60

    if len(datepart) == 8:
        year = int(datepart[:4])
    else:
        yy = int(datepart[:2])
        year = (today.year // 100) * 100 + yy
        # The latest century in which the date is not in the future: compare the whole
        # date, not the year, or a 99-year-old born later in the year than today is refused.
        if (year, month, day) > (today.year, today.month, today.day):
            year -= 100
        if sep == "+":
            year -= 100
    try:
        born = dt.date(year, month, day)
    except ValueError:
        raise _fel("Datumdelen är inte ett giltigt datum.") from None
    if born > today:
        raise _fel("Födelsedatumet ligger i framtiden.")
    if len(datepart) == 10 or year < 1850:
        raise _fel("Datumdelen är inte ett giltigt datum.")

    nummer = f"{year:04d}{datepart[-4:]}{tail}"
    return Identitetsnummer(nummer=nummer, samordningsnummer=samordning, fodelsedatum=born)
