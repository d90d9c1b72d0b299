"""The note form: one textarea, used for a new note, a correction and an addendum.

Whether the text is empty is decided after sanitising, by the service, so the rule is
the same for the UI and any other caller.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

MAX_LANGD = 20_000


class AnteckningForm(FlaskForm):
    text = TextAreaField(
        "Anteckning",
        validators=[Length(max=MAX_LANGD, message="Anteckningen är för lång (högst 20 000 tecken).")],
        description="Enkel formatering går att använda: stycken, fetstil, kursiv, listor och länkar.",
    )
