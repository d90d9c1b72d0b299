"""Forms for the meeting pages: generating a year, a new meeting, editing one, and the
small agenda forms. They check shape only (a date is a date); the rules are the services'."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    MonthField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from samverkan.moten.models import MotesTyp
from samverkan.moten.motesar import MANADER, ORDNINGAR, VECKODAGAR
from samverkan.moten.redigering import MAX_KAPACITET, TYP_LABELS
from samverkan.moten.tider import MAX_LANGD, MIN_LANGD

_KRAVS = "Fyll i fältet."

TYP_VAL = [SelectChoice(t.value, label) for t, label in TYP_LABELS.items()]


class _MotesFalt(FlaskForm):
    langd_minuter = IntegerField("Längd (minuter)", default=120,
                                 validators=[InputRequired(_KRAVS), NumberRange(MIN_LANGD, MAX_LANGD)])
    plats = StringField("Plats", validators=[Optional(), Length(max=300)],
                        description="T.ex. rum och adress. Lämna tomt för ett rent videomöte.")
    videolank = StringField("Videolänk", validators=[Optional(), Length(max=500)],
                            description="Webbadress som börjar med https://. Lämna tomt om mötet bara hålls på plats.")
    typ = SelectField("Mötestyp", choices=TYP_VAL, default=MotesTyp.ARENDEDRAGNING.value)


class GenereraForm(_MotesFalt):
    veckodag = SelectField("Veckodag", coerce=int, choices=[SelectChoice(i, v.capitalize()) for i, v in enumerate(VECKODAGAR)])
    ordning = SelectField("Vilken i månaden", coerce=int, choices=[SelectChoice(k, v.capitalize()) for k, v in ORDNINGAR.items()],
                          description="T.ex. andra tisdagen i månaden, eller sista.")
    klockslag = TimeField("Klockslag", validators=[InputRequired(_KRAVS)], description="Svensk tid, t.ex. 13:00.")
    uppehall = SelectMultipleField("Uppehåll (inga möten)", coerce=int,
                                   choices=[SelectChoice(i, m.capitalize()) for i, m in enumerate(MANADER, start=1)],
                                   validators=[Optional()],
                                   # Checkboxes (macros.valgrupp), not a multiple select.
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    startmanad = MonthField("Första månad", validators=[InputRequired(_KRAVS)],
                            description="Möten skapas för tolv månader från och med denna (ÅÅÅÅ-MM).")


class MoteForm(_MotesFalt):
    datum = DateField("Datum", validators=[InputRequired(_KRAVS)], description="ÅÅÅÅ-MM-DD")
    klockslag = TimeField("Klockslag", validators=[InputRequired(_KRAVS)], description="Svensk tid, t.ex. 13:00.")
    kapacitet = IntegerField("Kapacitet (antal ärenden)", validators=[Optional(), NumberRange(1, MAX_KAPACITET)],
                             description="Lämna tomt för teamets standard.")
