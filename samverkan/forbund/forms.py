"""Forms for the förbund admin's pages and the first visit's set-up. They check shape
only (a number is a number); the rules are in ``forbund.services``."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from samverkan.forbund.models import PART_TYP_LABELS, TEAM_TYP_LABELS
from samverkan.forbund.services import ROLL_LABELS
from samverkan.moten.motesar import MANADER, ORDNINGAR, VECKODAGAR

_KRAVS = "Fyll i fältet."
_HELTAL = "Ange ett heltal."


def _kryss(label: str, choices, **kw) -> SelectMultipleField:
    # Checkboxes (macros.valgrupp), not a multiple select.
    return SelectMultipleField(label, coerce=int, choices=choices, validators=[Optional()],
                               widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(), **kw)


_MANADSVAL = [SelectChoice(i, m.capitalize()) for i, m in enumerate(MANADER, start=1)]


class ForbundForm(FlaskForm):
    namn = StringField("Förbundets namn", validators=[InputRequired(_KRAVS)],
                       description="T.ex. Samordningsförbundet Exempelbygd.")
    kod = StringField("Kod", validators=[InputRequired(_KRAVS)],
                      description="2–8 versaler, t.ex. EXB. Inleder varje ärendes referens (EXB-2026-001).")
    admin_namn = StringField("Ditt namn", validators=[InputRequired(_KRAVS)])
    admin_epost = EmailField("Din e-postadress", validators=[InputRequired(_KRAVS)],
                             description="Ditt inloggningsnamn.")
    losenord = PasswordField("Lösenord", validators=[InputRequired(_KRAVS)], description="Minst 12 tecken.")


class PartForm(FlaskForm):
    typ = SelectField("Sorts part", choices=[SelectChoice("", "Välj …")] + [
        SelectChoice(t.value, label) for t, label in PART_TYP_LABELS.items()])
    namn = StringField("Namn", validators=[InputRequired(_KRAVS)],
                       description="T.ex. ”Exempel kommun, IFO”. En kommuns enheter läggs upp som egna parter.")
    kortnamn = StringField("Kort namn", validators=[Optional()], description="T.ex. IFO eller AF. Frivilligt.")


class TeamForm(FlaskForm):
    namn = StringField("Teamets namn", validators=[InputRequired(_KRAVS)])
    typ = RadioField("Sorts team", choices=[SelectChoice(t.value, label) for t, label in TEAM_TYP_LABELS.items()],
                     default="trisam")
    part_ids = _kryss("Parter i teamet", [], description="Vilka av förbundets parter som sitter i teamet.")
    motesordning = SelectField("Vilken i månaden", coerce=int,
                               choices=[SelectChoice(k, v.capitalize()) for k, v in ORDNINGAR.items()], default=2)
    motesveckodag = SelectField("Veckodag", coerce=int, default=1,
                                choices=[SelectChoice(i, v.capitalize()) for i, v in enumerate(VECKODAGAR)])
    motestid = TimeField("Starttid", validators=[InputRequired(_KRAVS)], description="Svensk tid, t.ex. 13:00.")
    moteslangd_minuter = IntegerField("Mötets längd (minuter)", default=120,
                                      validators=[InputRequired(_HELTAL)])
    motesplats = StringField("Plats", validators=[Optional()], description="Rum och adress.")
    motesplats_video = StringField("Videolänk", validators=[Optional()],
                                   description="Webbadress som börjar med https://. Frivilligt.")
    uppehall_manader = _kryss("Uppehåll (inga möten)", _MANADSVAL)
    planeringsmanader = _kryss("Planeringsmöten (utan ärenden)", _MANADSVAL,
                               description="Månader då mötet är ett planeringsmöte.")
    agendakapacitet = IntegerField("Ärenden per möte", default=6, validators=[InputRequired(_HELTAL)])
    minuter_per_arende = IntegerField("Minuter per ärende", validators=[Optional()],
                                      description="Lämna tomt: mötets längd delas på antalet ärenden.")
    kallelseregel = RadioField("När kallelsen går ut", default="dagar", choices=[
        SelectChoice("dagar", "Ett antal dagar före mötet, kl. 09.00"),
        SelectChoice("fredag", "Fredagen veckan före mötet, kl. 09.00"),
    ])
    kallelse_dagar_fore = IntegerField("Dagar före mötet", default=7, validators=[Optional()],
                                       description="Gäller när kallelsen går ut ett antal dagar före (1–60).")
    anmalan_dagar_fore_kallelse = IntegerField("Sista anmälningsdag, dagar före kallelsen", default=2,
                                               validators=[InputRequired(_HELTAL)])
    paminnelse_dagar_fore_anmalan = IntegerField("Påminnelse till handläggare, dagar före sista anmälningsdag",
                                                 default=2, validators=[InputRequired(_HELTAL)])


class GenereraForm(FlaskForm):
    startmanad = StringField("Första månad", validators=[InputRequired(_KRAVS)],
                             description="ÅÅÅÅ-MM. Möten skapas för tolv månader efter teamets regel.",
                             render_kw={"type": "month"})


class InbjudanForm(FlaskForm):
    namn = StringField("Namn", validators=[InputRequired(_KRAVS)])
    epost = EmailField("E-postadress", validators=[InputRequired(_KRAVS)],
                       description="Inbjudan med en länk för att välja lösenord skickas hit.")
    part_id = SelectField("Part", coerce=int, choices=[], validate_choice=False,
                          description="Den part personen arbetar för. Tomt för t.ex. projektledare utan part.")


class RollForm(FlaskForm):
    team_id = SelectField("Team", coerce=int, choices=[], validate_choice=False)
    roll = SelectField("Roll", choices=[SelectChoice("", "Välj …")] + [
        SelectChoice(r.value, label) for r, label in ROLL_LABELS.items()])
    ersatter_id = SelectField("Ersätter ledamot", coerce=int, choices=[], validate_choice=False,
                              description="Bara för en ersättare: den ledamot hen ersätter.")


class KapacitetForm(FlaskForm):
    kapacitet = IntegerField("Kapacitet (pågående ärenden, alla team)", validators=[InputRequired(_HELTAL)])


class OverforForm(FlaskForm):
    till_id = SelectField("Till kollega", coerce=int, choices=[], validate_choice=False)


class PartValForm(FlaskForm):
    part_id = SelectField("Part", coerce=int, choices=[], validate_choice=False)


class ImportForm(FlaskForm):
    fil = FileField("CSV-fil", description="Kolumner: namn, epost, part, team, roll, ersatter (semikolon eller komma).")
    importera = BooleanField("Importera om inga rader har fel (annars bara en provkörning)")
