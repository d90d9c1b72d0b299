"""The insatser's forms: a further insats for an ärende."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice

from samverkan.insatser.models import INSATS_FORM_LABELS, InsatsForm


class StartaInsatsForm(FlaskForm):
    form = RadioField("Vilken sorts insats?", choices=[SelectChoice(f.value, INSATS_FORM_LABELS[f]) for f in InsatsForm],
                      default=InsatsForm.INSATS.value)
    insatstyp_id = SelectField("Insats ur förbundets lista", coerce=int, choices=[], validate_choice=False,
                               description="Vid annan insats.")
    samcoach_id = SelectField("Samcoach", coerce=int, choices=[], validate_choice=False,
                              description="Vid samcoach. Är samcoachen full väntar ärendet i kön.")
