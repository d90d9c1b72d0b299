"""core.handling.utfor: one action, one transaction. What it commits, what it rolls back,
where the refusal is shown, and which errors it lets through to the error pages."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField

from samverkan.core.db import db
from samverkan.core.errors import DomainError, NotFound, Valideringsfel
from samverkan.core.handling import utfor
from samverkan.forbund.models import Forbund


class _Form(FlaskForm):
    namn = StringField("Namn")


@pytest.fixture
def begaran(ctx):
    with ctx.test_request_context("/", method="POST"):
        yield


def _forbund() -> list[str]:
    db.session.rollback()  # read what was committed, not what the session holds
    return list(db.session.scalars(select(Forbund.kod)))


def test_a_clean_action_is_committed_and_confirmed(begaran):
    with utfor() as h:
        db.session.add(Forbund(namn="Samordningsförbundet Provbygd", kod="PRV"))
        h.klart("Förbundet är sparat.")
    assert h.fel is None and h.status == 200
    assert _forbund() == ["PRV"]
    assert get_flashed_messages(with_categories=True) == [("ok", "Förbundet är sparat.")]


def test_a_refusal_saves_nothing_and_stands_beside_its_field(begaran):
    form = _Form(meta={"csrf": False})
    with utfor(form=form) as h:
        db.session.add(Forbund(namn="Samordningsförbundet Provbygd", kod="PRV"))
        db.session.flush()
        raise DomainError("upptaget", "Namnet används redan.", field="namn")
    assert h.status == 422 and h.fel.code == "upptaget"
    assert _forbund() == []
    assert form.namn.errors == ["Namnet används redan."]
    # Beside the field (the page's error summary lists it), not a second time at the top.
    assert get_flashed_messages() == []


def test_messages_without_a_field_in_the_form_go_to_the_top(begaran):
    form = _Form(meta={"csrf": False})
    with utfor(form=form) as h:
        raise Valideringsfel({"namn": "Ange ett namn.", "kod": "Ange en kod."})
    assert form.namn.errors == ["Ange ett namn."]
    assert get_flashed_messages(with_categories=True) == [("fel", "Ange en kod.")]
    assert h.status == 422


def test_not_found_and_unexpected_errors_pass_through_rolled_back_or_not(begaran):
    with pytest.raises(NotFound), utfor():
        db.session.add(Forbund(namn="Samordningsförbundet Provbygd", kod="PRV"))
        db.session.flush()
        raise NotFound()
    assert _forbund() == []
    with pytest.raises(ZeroDivisionError), utfor():
        1 / 0  # noqa: B018
    # A handler may choose to show a 404 as a form error instead.
    with utfor(sprid=()) as h:
        raise NotFound("Mötet finns inte.")
    assert h.status == 404 and get_flashed_messages() == ["Mötet finns inte."]
