"""Forms for login, the two-factor code and API tokens (Flask-WTF: every form carries a
CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from samverkan.auth.models import TOKEN_OMFANG_LABELS


class LoginForm(FlaskForm):
    epost = EmailField("E-postadress", validators=[DataRequired("Ange din e-postadress.")])
    losenord = PasswordField("Lösenord", validators=[DataRequired("Ange ditt lösenord.")])


class TokenForm(FlaskForm):
    namn = StringField(
        "Namn på token",
        validators=[DataRequired("Ge token ett namn."), Length(max=100, message="Högst 100 tecken.")],
        description="Till exempel vilket system som ska använda den.",
    )
    omfang = RadioField(
        "Vad får token göra?",
        choices=[SelectChoice(o.value, label) for o, label in TOKEN_OMFANG_LABELS.items()],
        default="lasa",
        validators=[DataRequired("Välj vad token får göra.")],
    )
    dagar = StringField(
        "Giltig i antal dagar",
        default="90",
        validators=[Optional(), Regexp(r"^\s*\d{1,3}\s*$", message="Ange antalet dagar med siffror, 1–365.")],
        description="1–365 dagar, standard 90. Därefter slutar den fungera och du skapar en ny.",
    )


class KodForm(FlaskForm):
    """The login's second step: a code from the app or a recovery code (letters too)."""

    kod = StringField(
        "Kod",
        validators=[DataRequired("Ange koden."), Length(max=20, message="Koden är för lång.")],
        description="Sex siffror från autentiseringsappen, eller en av dina återställningskoder.",
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )


class BekraftaKodForm(FlaskForm):
    """A six-digit code from the app, to confirm enrolment or to make new recovery codes."""

    kod = StringField(
        "Kod från appen",
        validators=[DataRequired("Ange koden från appen."), Length(max=20, message="Koden är för lång.")],
        description="Sex siffror. Koden byts var 30:e sekund.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class EmptyForm(FlaskForm):
    """A form with only its CSRF token (logout, revoke)."""


class BytLosenordForm(FlaskForm):
    nuvarande = PasswordField("Nuvarande lösenord", validators=[DataRequired("Ange ditt nuvarande lösenord.")],
                              render_kw={"autocomplete": "current-password"})
    losenord = PasswordField("Nytt lösenord", validators=[DataRequired("Ange ett nytt lösenord.")],
                             description="Minst 12 tecken.", render_kw={"autocomplete": "new-password"})
    upprepa = PasswordField("Upprepa det nya lösenordet", validators=[DataRequired("Skriv lösenordet en gång till.")],
                            render_kw={"autocomplete": "new-password"})


class ValjLosenordForm(FlaskForm):
    losenord = PasswordField("Nytt lösenord", validators=[DataRequired("Ange ett lösenord.")],
                             description="Minst 12 tecken.", render_kw={"autocomplete": "new-password"})
    upprepa = PasswordField("Upprepa lösenordet", validators=[DataRequired("Skriv lösenordet en gång till.")],
                            render_kw={"autocomplete": "new-password"})


class GlomtForm(FlaskForm):
    epost = EmailField("E-postadress", validators=[DataRequired("Ange din e-postadress.")],
                       render_kw={"autocomplete": "username"})
