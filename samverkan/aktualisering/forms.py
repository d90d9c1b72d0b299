"""The aktualisering form: deltagare, consent, frågeställning and start data.

The form checks shape (required fields, dates, choices); every rule of the domain
(personnummer, consent, team, parties) is the services' and comes back as a
DomainError that ``lagg_till_fel`` puts beside the right field.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.meta import DefaultMeta
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from samverkan.aktualisering.services import (
    SamtyckeUppgifter,
    Underlag,
    Uppgifter,
    fragestallning_text,
)
from samverkan.arenden import kodlistor
from samverkan.arenden.models import Arende
from samverkan.core.errors import DomainError
from samverkan.deltagare.models import KON_LABELS, SAMTYCKE_SATT_LABELS, SamtyckeSatt

IDENTITET_PERSONNUMMER = "personnummer"
IDENTITET_ANONYM = "anonym"


class Datumfalt(DateField):
    """A date field whose complaint is in Swedish and says which form it wants."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Ange datumet som ÅÅÅÅ-MM-DD.") from None


class AktualiseringForm(FlaskForm):
    class Meta:
        # WTForms' own Swedish messages for anything we do not word ourselves
        # (Flask-WTF's i18n needs Flask-Babel, which we do not use).
        locales = ("sv",)

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)

    team_id = SelectField("Team", coerce=int, validate_choice=False,
                          validators=[InputRequired("Välj team.")])
    byt_team = SubmitField("Visa teamets parter")

    identitet = RadioField(
        "Hur deltagaren registreras",
        choices=[SelectChoice(IDENTITET_PERSONNUMMER, "Personnummer eller samordningsnummer"),
                 SelectChoice(IDENTITET_ANONYM, "Anonym kod och födelseår")],
        default=IDENTITET_PERSONNUMMER,
        validators=[DataRequired("Välj hur deltagaren registreras.")],
        description="Anonym kod används för den som inte vill registreras med personnummer "
                    "eller har skyddad identitet.",
    )
    personnummer = StringField(
        "Personnummer eller samordningsnummer",
        validators=[Optional(), Length(max=20, message="Högst 20 tecken.")],
        description="12 siffror, t.ex. ÅÅÅÅMMDD-NNNN.",
    )
    anonym_kod = StringField(
        "Anonym kod",
        validators=[Optional(), Length(max=40, message="Högst 40 tecken.")],
        description="Bokstäver a–z, siffror och bindestreck, 3–40 tecken. Skriv inte namn.",
    )
    fodelsear = IntegerField(
        "Födelseår",
        validators=[Optional(), NumberRange(1900, 2200, message="Ange ett giltigt födelseår.")],
        description="Fyra siffror, t.ex. 1985.",
    )
    kon = RadioField(
        "Kön",
        choices=[SelectChoice(k.value, label) for k, label in KON_LABELS.items()],
        validators=[InputRequired("Välj kön.")],
    )

    parter = SelectMultipleField(
        "Parter som samtycket omfattar",
        coerce=int,
        validate_choice=False,  # the service checks them against the team's parties
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="Teamets parter. Kryssa ur den som deltagaren inte samtycker till.",
    )
    givet_den = Datumfalt("Samtycket givet den", validators=[Optional()])
    giltigt_till = Datumfalt("Samtycket gäller till och med", validators=[Optional()])
    satt = RadioField(
        "Hur samtycket gavs",
        choices=[SelectChoice(s.value, label) for s, label in SAMTYCKE_SATT_LABELS.items()],
        default=SamtyckeSatt.UNDERSKRIVET.value,
        validators=[DataRequired("Ange hur samtycket gavs.")],
    )
    dokumentreferens = StringField(
        "Dokumentreferens",
        validators=[Optional(), Length(max=200, message="Högst 200 tecken.")],
        description="Var den undertecknade blanketten finns, t.ex. akt- eller diarienummer.",
    )

    fragestallning = TextAreaField(
        "Frågeställning",
        validators=[InputRequired("Skriv frågeställningen: vad ska teamet ta ställning till?")],
        description="Vad ska teamet ta ställning till? Skriv vanlig text; tom rad ger nytt "
                    "stycke. Enkel formatering (fetstil, kursiv, listor, länkar) går att skriva "
                    "som HTML.",
        render_kw={"rows": 8},
    )
    forsorjning_start = SelectField("Försörjning vid start",
                                    choices=kodlistor.choices(kodlistor.FORSORJNING),
                                    validators=[Optional()])
    sysselsattning_start = SelectField("Sysselsättning vid start",
                                       choices=kodlistor.choices(kodlistor.SYSSELSATTNING),
                                       validators=[Optional()])
    utbildningsniva = SelectField("Utbildningsnivå",
                                  choices=kodlistor.choices(kodlistor.UTBILDNINGSNIVA),
                                  validators=[Optional()])
    tid_i_offentligt_stod = SelectField("Tid i offentligt stöd",
                                        choices=kodlistor.choices(kodlistor.TID_I_OFFENTLIGT_STOD),
                                        validators=[Optional()],
                                        description="Hur länge deltagaren har haft offentligt "
                                                    "stöd till sin försörjning.")

    version = HiddenField()
    spara = SubmitField("Spara utkast")
    skicka = SubmitField("Skicka till teamet")

    # --- wiring -------------------------------------------------------------------
    def anpassa(self, underlag: Underlag, *, alla_parter: bool = False) -> None:
        """Set the team and party choices; ``alla_parter`` ticks every party (the default
        for a new consent)."""
        self.team_id.choices = [SelectChoice(t.id, t.namn) for t in underlag.teams]
        self.team_id.data = underlag.team.id
        self.parter.choices = [SelectChoice(p.id, p.namn) for p in underlag.parter]
        if alla_parter:
            self.parter.data = [p.id for p in underlag.parter]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.identitet.data == IDENTITET_PERSONNUMMER and not self.personnummer.data:
            ok = self._fel(self.personnummer, "Ange personnummer eller samordningsnummer.")
        if self.identitet.data == IDENTITET_ANONYM:
            if not self.anonym_kod.data:
                ok = self._fel(self.anonym_kod, "Ange en anonym kod.")
            if self.fodelsear.data is None and not self.fodelsear.errors:
                ok = self._fel(self.fodelsear, "Ange födelseår.")
        if self._har_samtycke():
            for f, text in ((self.givet_den, "Ange dagen då samtycket gavs."),
                            (self.giltigt_till, "Ange hur länge samtycket gäller.")):
                if f.data is None and not f.errors:
                    ok = self._fel(f, text)
            if not self.parter.data:
                ok = self._fel(self.parter, "Välj minst en part som samtycket omfattar.")
        return ok

    def _har_samtycke(self) -> bool:
        return bool(self.givet_den.data or self.giltigt_till.data or self.givet_den.errors
                    or self.giltigt_till.errors or (self.dokumentreferens.data or "").strip())

    @staticmethod
    def _fel(f, text: str) -> bool:
        f.errors = [*f.errors, text]
        return False

    def lagg_till_fel(self, error: DomainError) -> None:
        """Show a service's refusal beside its field, or above the form."""
        f = self._fields.get(error.field) if error.field else None
        if f is None or f.type in ("SubmitField", "HiddenField", "CSRFTokenField"):
            self.form_errors.append(error.message)
        else:
            self._fel(f, error.message)

    @property
    def alla_fel(self) -> list[tuple[str | None, str]]:
        """(anchor id or None, message) for the error summary at the top."""
        fel = [(None, m) for m in self.form_errors]
        for f in self:
            if f.errors and f.type != "CSRFTokenField":
                anchor = f"{f.id}-0" if f.type in ("RadioField", "SelectMultipleField") else f.id
                fel.extend((anchor, m) for m in f.errors)
        return fel

    def uppgifter(self) -> Uppgifter:
        anonym = self.identitet.data == IDENTITET_ANONYM
        samtycke = None
        if self._har_samtycke():
            samtycke = SamtyckeUppgifter(
                givet_den=self.givet_den.data,
                giltigt_till=self.giltigt_till.data,
                satt=self.satt.data,
                part_ids=list(self.parter.data or []),
                dokumentreferens=(self.dokumentreferens.data or "").strip(),
            )
        return Uppgifter(
            team_id=self.team_id.data,
            kon=self.kon.data,
            fragestallning=self.fragestallning.data or "",
            personnummer=None if anonym else (self.personnummer.data or "").strip(),
            anonym_kod=(self.anonym_kod.data or "").strip() if anonym else None,
            fodelsear=self.fodelsear.data if anonym else None,
            forsorjning_start=self.forsorjning_start.data or None,
            sysselsattning_start=self.sysselsattning_start.data or None,
            utbildningsniva=self.utbildningsniva.data or None,
            tid_i_offentligt_stod=self.tid_i_offentligt_stod.data or None,
            samtycke=samtycke,
        )

    @property
    def version_nummer(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


def data_fran_arende(arende: Arende) -> dict:
    """A draft's stored values as form data, for the edit page."""
    d = arende.deltagaruppgifter  # as entered on the draft, not another team's record
    s = arende.samtycke
    data = {
        "identitet": IDENTITET_PERSONNUMMER if d.personnummer else IDENTITET_ANONYM,
        "personnummer": f"{d.personnummer[:8]}-{d.personnummer[8:]}" if d.personnummer else "",
        "anonym_kod": d.anonym_kod or "",
        "fodelsear": None if d.personnummer else d.fodelsear,
        "kon": d.kon.value,
        "fragestallning": fragestallning_text(arende.fragestallning),
        "forsorjning_start": arende.forsorjning_start or "",
        "sysselsattning_start": arende.sysselsattning_start or "",
        "utbildningsniva": arende.utbildningsniva or "",
        "tid_i_offentligt_stod": arende.tid_i_offentligt_stod or "",
        "version": str(arende.version),
    }
    if s is not None:
        data.update(givet_den=s.givet_den, giltigt_till=s.giltigt_till, satt=s.satt.value,
                    parter=[p.id for p in s.parter], dokumentreferens=s.dokumentreferens)
    return data
