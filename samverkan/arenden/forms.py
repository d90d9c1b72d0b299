"""The form behind every state change on the case page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from samverkan.arenden import kodlistor


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
