"""Writing and reading notes on an ärende: create, correct within the window, addendum.

Notes are never deleted and, once the correction window has passed, never changed: a
later thought is an addendum (a new note pointing at the first). Who may write is the
policy's decision (``policy.require_anteckning``); every write is audited with field
names only. Reading happens as part of the audited case-page read (``arende.visa``).
The caller commits.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app

from samverkan.anteckningar.models import Anteckning
from samverkan.arenden.models import Arende
from samverkan.auth import policy
from samverkan.auth.models import User
from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError, NotFound
from samverkan.core.html import sanitize_html, text_content

log = logging.getLogger(__name__)

RATTELSEFONSTER_STANDARD = 15


def rattelsefonster() -> dt.timedelta:
    """How long after writing the author may still correct a note (configurable)."""
    minuter = current_app.config.get("ANTECKNING_RATTELSEFONSTER_MINUTER", RATTELSEFONSTER_STANDARD)
    return dt.timedelta(minutes=int(minuter))


def kan_rattas(anteckning: Anteckning, user: User, *, nu: dt.datetime | None = None) -> bool:
    """The author, within the window. (Whether the ärende still takes writes is the policy's.)"""
    nu = nu or clock.now()
    return anteckning.forfattare_id == user.id and nu - anteckning.skapad <= rattelsefonster()


def _clean(text: str | None) -> str:
    cleaned = sanitize_html(text)
    if not text_content(cleaned):
        raise DomainError(
            "anteckning_tom",
            "Skriv en anteckning. Texten är tom (eller blev tom när otillåten kod togs bort).",
            field="text",
        )
    return cleaned


def _note_in(arende: Arende, anteckning_id: int) -> Anteckning:
    anteckning = db.session.get(Anteckning, anteckning_id)
    if anteckning is None or anteckning.arende_id != arende.id:
        # A note id from another ärende looks exactly like a missing one.
        raise NotFound("Anteckningen finns inte.")
    return anteckning


def get_anteckning(user: User, arende_id: int, anteckning_id: int) -> tuple[Arende, Anteckning]:
    """One note with its ärende, for the correction and addendum pages (an audited read)."""
    arende = db.session.get(Arende, arende_id)
    policy.require(user, arende, policy.Atkomst.DETALJER)
    anteckning = _note_in(arende, anteckning_id)
    audit.record("arende.visa", "arende", arende.id, user_id=user.id, falt=["anteckning"])
    return arende, anteckning


def create(user: User, arende_id: int, text: str | None, *,
           tillagg_till_id: int | None = None) -> Anteckning:
    """A new note, or an addendum to an earlier note of the same ärende."""
    arende = db.session.get(Arende, arende_id)
    policy.require_anteckning(user, arende)
    if tillagg_till_id is not None:
        _note_in(arende, tillagg_till_id)
    anteckning = Anteckning(
        arende_id=arende.id,
        forfattare_id=user.id,
        text=_clean(text),
        skapad=clock.now(),
        tillagg_till_id=tillagg_till_id,
    )
    db.session.add(anteckning)
    db.session.flush()
    falt = ["text", "tillagg_till_id"] if tillagg_till_id is not None else ["text"]
    audit.record("anteckning.skapa", "anteckning", anteckning.id, user_id=user.id, falt=falt)
    log.info("arende %s: anteckning %s skapad", arende.id, anteckning.id)
    return anteckning


def skrivhinder(user: User, arende: Arende) -> str | None:
    """Why ``user`` may not write notes in ``arende`` now (Swedish), or None."""
    try:
        policy.require_anteckning(user, arende)
    except DomainError as error:
        return error.message
    return None


def _rattningsfel(user: User, anteckning: Anteckning) -> DomainError | None:
    try:
        policy.require_anteckningens_forfattare(user, anteckning)
    except DomainError as error:
        return error
    if not kan_rattas(anteckning, user):
        minuter = int(rattelsefonster().total_seconds() // 60)
        return DomainError(
            "rattelsefonster_passerat",
            f"Tiden för att rätta anteckningen har gått ut: en anteckning kan bara rättas inom "
            f"{minuter} minuter efter att den skrevs. Skriv ett tillägg i stället.",
            field="text",
        )
    return None


def rattningshinder(user: User, arende: Arende, anteckning: Anteckning) -> str | None:
    """Why ``user`` may not correct ``anteckning`` now (Swedish), or None."""
    hinder = skrivhinder(user, arende)
    if hinder is not None:
        return hinder
    error = _rattningsfel(user, anteckning)
    return error.message if error else None


def correct(user: User, arende_id: int, anteckning_id: int, text: str | None) -> Anteckning:
    """The author's correction within the window; afterwards only an addendum is possible."""
    arende = db.session.get(Arende, arende_id)
    policy.require_anteckning(user, arende)
    anteckning = _note_in(arende, anteckning_id)
    error = _rattningsfel(user, anteckning)
    if error is not None:
        raise error
    anteckning.text = _clean(text)
    anteckning.rattad = clock.now()
    db.session.flush()
    audit.record("anteckning.ratta", "anteckning", anteckning.id, user_id=user.id, falt=["text"])
    log.info("arende %s: anteckning %s rättad", arende.id, anteckning.id)
    return anteckning
