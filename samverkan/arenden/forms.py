"""The form behind every state change on the case page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from samverkan.arenden import kodlistor
from samverkan.deltagare.models import SAMTYCKE_SATT_LABELS, SamtyckeSatt


class HandelseForm(FlaskForm):
    trigger = HiddenField(validators=[DataRequired()])
    version = IntegerField(validators=[InputRequired()])
    datum = DateField("Datum", validators=[Optional()],
                      description="Dagen det hände. Får vara bakåt i tiden, inte framåt.")
    kommentar = TextAreaField("Kommentar", validators=[Optional()])
    avslutsorsak = SelectField("Avslutsorsak", choices=kodlistor.choices(kodlistor.AVSLUTSORSAK),
                               validators=[Optional()])
    forsorjning_slut = SelectField("Försörjning vid avslut", choices=kodlistor.choices(kodlistor.FORSORJNING),
                                   validators=[Optional()])
    sysselsattning_slut = SelectField("Sysselsättning vid avslut",
                                      choices=kodlistor.choices(kodlistor.SYSSELSATTNING),
                                      validators=[Optional()])
    # The handover at avslut (next step): all three or none; the flow checks it.
    overlamning_vem = StringField("Vem tar över", validators=[Length(max=200, message="Högst 200 tecken.")],
                                  description="En aktör, enhet eller roll, t.ex. ”Arbetsförmedlingen, "
                                              "etableringsteamet”.")
    overlamning_part_id = SelectField("Part som tar över", coerce=lambda v: int(v) if v not in (None, "") else None,
                                      validate_choice=False, validators=[Optional()],
                                      description="Frivilligt: om det är en av förbundets parter.")
    overlamning_hur = StringField("Hur", validators=[Length(max=500, message="Högst 500 tecken.")],
                                  description="T.ex. ett gemensamt överlämningsmöte eller en remiss.")
    overlamning_nar = DateField("När", validators=[Optional()], description="ÅÅÅÅ-MM-DD.")


class SamtyckeForm(FlaskForm):
    """A renewed or changed consent on an open ärende (case page)."""

    givet_den = DateField("Samtycket givet den", validators=[InputRequired("Ange dagen då samtycket gavs.")])
    giltigt_till = DateField("Gäller till och med", validators=[InputRequired("Ange hur länge samtycket gäller.")])
    satt = RadioField("Hur samtycket gavs",
                      choices=[SelectChoice(s.value, label) for s, label in SAMTYCKE_SATT_LABELS.items()],
                      default=SamtyckeSatt.UNDERSKRIVET.value,
                      validators=[DataRequired("Ange hur samtycket gavs.")])
    parter = SelectMultipleField("Parter som samtycket omfattar", coerce=int, validate_choice=False,
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                 description="Den aktualiserande parten och minst en part till.")
    dokumentreferens = StringField("Dokumentreferens", validators=[Length(max=200, message="Högst 200 tecken.")],
                                   description="Var det nya undertecknade dokumentet finns.")
