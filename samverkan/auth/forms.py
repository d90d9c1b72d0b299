"""Forms for login and API tokens (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    epost = EmailField("E-postadress", validators=[DataRequired("Ange din e-postadress.")])
    losenord = PasswordField("Lösenord", validators=[DataRequired("Ange ditt lösenord.")])


class TokenForm(FlaskForm):
    namn = StringField(
        "Namn på token",
        validators=[DataRequired("Ge token ett namn."), Length(max=100, message="Högst 100 tecken.")],
        description="Till exempel vilket system som ska använda den.",
    )


class EmptyForm(FlaskForm):
    """A form with only its CSRF token (logout, revoke)."""
