"""The audit log's filter form: read from the query string (GET), so no CSRF token."""

from __future__ import annotations

from wtforms import DateField, Form, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from samverkan.core.db import ID_MAX
from samverkan.loggkontroll import handlingar
from samverkan.loggkontroll.services import Urval


class Datum(DateField):
    """A date field whose complaint is in Swedish."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Ange datumet som ÅÅÅÅ-MM-DD.") from None


class UrvalForm(Form):
    # Choices are checked by the service (a user outside the förbund is refused there),
    # so WTForms' own English "Not a valid choice" never shows.
    anvandare = SelectField("Användare", validate_choice=False, validators=[Optional()])
    arende = StringField("Ärende", validators=[Optional(), Length(max=32, message="Högst 32 tecken.")],
                         description="Ärendets referens, t.ex. EXB-2026-014.")
    handling = SelectField("Handling", validate_choice=False, validators=[Optional()])
    fran = Datum("Från och med", validators=[Optional()], description="Datum, ÅÅÅÅ-MM-DD.")
    till = Datum("Till och med", validators=[Optional()], description="Datum, ÅÅÅÅ-MM-DD.")

    def set_choices(self, anvandare: list[tuple[int, str]]) -> None:
        self.anvandare.choices = [("", "Alla användare")] + [(str(i), namn) for i, namn in anvandare]
        val = handlingar.choices()
        if self.handling.data and self.handling.data not in dict(val):
            val.append((self.handling.data, self.handling.data))  # a code without words yet
        self.handling.choices = [("", "Alla handlingar"), *val]

    def validate_anvandare(self, field):
        # Beyond the database's integer it names nobody (and would overflow the query).
        value = str(field.data).strip()
        if not value.isdigit() or int(value) > ID_MAX:
            raise ValidationError("Välj en användare i listan.")

    def urval(self) -> Urval:
        """Only after ``validate()`` succeeded."""
        anvandare = (self.anvandare.data or "").strip()
        return Urval(
            anvandare_id=int(anvandare) if anvandare else None,
            referens=(self.arende.data or "").strip(),
            handling=(self.handling.data or "").strip(),
            fran=self.fran.data,
            till=self.till.data,
        )
