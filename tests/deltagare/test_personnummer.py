"""Personnummer and samordningsnummer: what is accepted, how it is normalised, and
that every refusal is a DomainError on the field ``personnummer`` in Swedish.

Pure tests: ``parse`` takes ``today=``, so no clock or database is involved.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samverkan.core.errors import DomainError
from samverkan.deltagare.personnummer import luhn_check_digit, luhn_ok, parse

TODAY = dt.date(2026, 3, 12)


def nummer(born: dt.date, serial: int = 123, *, samordning: bool = False) -> str:
    """A valid 12-digit number (no separator) for ``born``."""
    day = born.day + (60 if samordning else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    return f"{born.year:04d}{nine[2:]}{luhn_check_digit(nine)}"


def with_check_digit(nine: str) -> str:
    """Ten digits: nine given ones (YYMMDD + serial) and the right Luhn digit."""
    return nine + luhn_check_digit(nine)


def refused(raw: str, *, today: dt.date = TODAY) -> DomainError:
    with pytest.raises(DomainError) as info:
        parse(raw, today=today)
    error = info.value
    assert error.code == "ogiltigt_personnummer"
    assert error.field == "personnummer"
    return error


# A real-format number for 1980-09-14 (check digit computed, person invented).
PN_1980 = nummer(dt.date(1980, 9, 14), 123)


# --- accepted forms ----------------------------------------------------------------

@pytest.mark.parametrize(
    "raw",
    [
        PN_1980,                              # YYYYMMDDNNNC
        f"{PN_1980[:8]}-{PN_1980[8:]}",       # YYYYMMDD-NNNC
        f"{PN_1980[2:8]}-{PN_1980[8:]}",      # YYMMDD-NNNC
        PN_1980[2:],                          # YYMMDDNNNC
        f"  {PN_1980[2:8]} - {PN_1980[8:]} ",  # spaces are tolerated
    ],
    ids=["12", "12-bindestreck", "10-bindestreck", "10", "mellanslag"],
)
def test_valid_forms_are_normalised_to_twelve_digits(raw):
    ident = parse(raw, today=TODAY)
    assert ident.nummer == PN_1980
    assert ident.fodelsedatum == dt.date(1980, 9, 14)
    assert ident.samordningsnummer is False
    assert ident.formaterat == f"{PN_1980[:8]}-{PN_1980[8:]}"


def test_plus_marks_someone_a_hundred_years_or_older():
    born = dt.date(1920, 5, 4)
    n = nummer(born)
    ident = parse(f"{n[2:8]}+{n[8:]}", today=TODAY)
    assert ident.nummer == n and ident.fodelsedatum == born


def test_ten_digits_without_plus_mean_the_latest_century_that_is_not_in_the_future():
    born = dt.date(2019, 1, 2)
    n = nummer(born)
    assert parse(n[2:], today=TODAY).fodelsedatum == born
    older = nummer(dt.date(1999, 12, 31))
    assert parse(older[2:], today=TODAY).fodelsedatum == dt.date(1999, 12, 31)


def test_ten_digits_for_a_99_year_old_born_later_in_the_year_than_today():
    # Born 1926-07-01, still 99 on 2026-03-12: no plus sign, and the date part 260701
    # must not be read as a birth date in 2026 (which would be in the future).
    born = dt.date(1926, 7, 1)
    n = nummer(born)
    ident = parse(f"{n[2:8]}-{n[8:]}", today=TODAY)
    assert ident.fodelsedatum == born
    assert ident.nummer == n


def test_born_today_is_accepted():
    n = nummer(TODAY)
    assert parse(n, today=TODAY).fodelsedatum == TODAY
    assert parse(n[2:], today=TODAY).fodelsedatum == TODAY


@pytest.mark.parametrize("form", ["12", "10"])
def test_samordningsnummer_day_plus_sixty_is_accepted_and_flagged(form):
    born = dt.date(1990, 2, 28)
    n = nummer(born, 457, samordning=True)
    assert n[6:8] == "88"
    ident = parse(n if form == "12" else f"{n[2:8]}-{n[8:]}", today=TODAY)
    assert ident.samordningsnummer is True
    assert ident.fodelsedatum == born
    assert ident.nummer == n  # the stored number keeps day + 60


def test_leap_day_is_a_real_date():
    n = nummer(dt.date(2000, 2, 29))
    assert parse(n, today=TODAY).fodelsedatum == dt.date(2000, 2, 29)


# --- refusals ----------------------------------------------------------------------

@pytest.mark.parametrize("wrong", [d for d in "0123456789" if d != PN_1980[-1]])
def test_wrong_check_digit_is_refused(wrong):
    error = refused(PN_1980[:-1] + wrong)
    assert "Kontrollsiffran" in error.message


@pytest.mark.parametrize(
    "date_part",
    ["800230", "801301", "800001", "800100", "800431", "810229", "800160", "800192"],
    ids=["30-feb", "manad-13", "manad-00", "dag-00", "31-apr", "29-feb-ej-skottar",
         "dag-60", "samordning-dag-32"],
)
def test_impossible_date_is_refused_even_with_a_correct_check_digit(date_part):
    raw = with_check_digit(date_part + "123")
    assert luhn_ok(raw)
    error = refused(raw)
    assert error.message == "Datumdelen är inte ett giltigt datum."
    error12 = refused("19" + raw)
    assert error12.message == "Datumdelen är inte ett giltigt datum."


def test_future_birth_date_is_refused():
    tomorrow = TODAY + dt.timedelta(days=1)
    error = refused(nummer(tomorrow))
    assert error.message == "Födelsedatumet ligger i framtiden."


def test_year_before_1850_is_refused():
    refused(nummer(dt.date(1849, 12, 31)))


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "12345", "80091412", "8009141234567", "198009141234567", "19800914-12345",
     "800914-123", "1980-09-14-1234", "800914--1234", "800914/1234"],
)
def test_wrong_length_or_shape_is_refused(raw):
    error = refused(raw)
    assert "10 eller 12 siffror" in error.message


@pytest.mark.parametrize("raw", ["80091A-1234", "ÅÅMMDD-NNNN", "800914-12x4", "abcdefghij", "800914-I234"])
def test_letters_are_refused(raw):
    refused(raw)


@pytest.mark.parametrize("offset", [0xFEE0, 0x0660 - 0x30], ids=["fullbredd", "arabisk-indisk"])
def test_digits_other_than_ascii_are_refused(offset):
    # int() reads them, so without this rule a valid number typed with other digits would
    # be stored as a second, different "12-digit" number for the same person.
    raw = "".join(chr(ord(c) + offset) for c in PN_1980)
    error = refused(raw)
    assert "10 eller 12 siffror" in error.message


def test_none_is_refused_like_empty_input():
    refused(None)  # type: ignore[arg-type]


def test_plus_with_twelve_digits_is_refused():
    error = refused(f"{PN_1980[:8]}+{PN_1980[8:]}")
    assert "Plustecken" in error.message


# --- properties --------------------------------------------------------------------

# Half the draws near the 100-year line, where the century of a 10-digit number flips.
dates = st.one_of(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.dates(min_value=dt.date(TODAY.year - 101, 1, 1), max_value=dt.date(TODAY.year - 99, 12, 31)),
)
serials = st.integers(min_value=0, max_value=999)


@settings(max_examples=150, deadline=None)
@given(born=dates, serial=serials, samordning=st.booleans())
def test_any_valid_twelve_digit_number_parses_back_to_itself(born, serial, samordning):
    n = nummer(born, serial, samordning=samordning)
    for raw in (n, f"{n[:8]}-{n[8:]}"):
        ident = parse(raw, today=TODAY)
        assert ident.nummer == n
        assert ident.fodelsedatum == born
        assert ident.samordningsnummer is samordning


@settings(max_examples=150, deadline=None)
@given(born=dates, serial=serials)
def test_any_valid_ten_digit_number_with_the_right_separator_parses_back(born, serial):
    n = nummer(born, serial)
    hundred = born.replace(year=born.year + 100) if (born.month, born.day) != (2, 29) else dt.date(
        born.year + 100, 3, 1)
    separator = "+" if hundred <= TODAY else "-"
    ident = parse(f"{n[2:8]}{separator}{n[8:]}", today=TODAY)
    assert ident.nummer == n
    assert ident.fodelsedatum == born


@settings(max_examples=100, deadline=None)
@given(born=dates, serial=serials, delta=st.integers(min_value=1, max_value=9))
def test_any_change_of_the_check_digit_is_refused(born, serial, delta):
    n = nummer(born, serial)
    wrong = str((int(n[-1]) + delta) % 10)
    error = refused(n[:-1] + wrong)
    assert "Kontrollsiffran" in error.message


@settings(max_examples=100, deadline=None)
@given(raw=st.one_of(
    st.text(max_size=20),
    st.text(alphabet="0123456789-+ ", max_size=16),
    st.text(alphabet=st.characters(categories=["Nd"]), min_size=10, max_size=12),
))
def test_any_input_is_either_a_valid_number_or_a_swedish_refusal(raw):
    # Hostile input: whatever is typed, the answer is a normalised number or a message
    # beside the field, never a crash.
    try:
        ident = parse(raw, today=TODAY)
    except DomainError as error:
        assert (error.code, error.field) == ("ogiltigt_personnummer", "personnummer")
        return
    assert ident.nummer.isascii() and ident.nummer.isdigit() and len(ident.nummer) == 12
    assert luhn_ok(ident.nummer[2:])
    assert parse(ident.nummer, today=TODAY) == ident
