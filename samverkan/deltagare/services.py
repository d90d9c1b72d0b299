"""Finding and registering deltagare, and registering consent."""

from __future__ import annotations

import datetime as dt
import re

from samverkan.core import audit, clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError
from samverkan.deltagare import personnummer
from samverkan.deltagare.models import Deltagare, Kon, Samtycke, SamtyckeSatt
from samverkan.forbund.models import Part

_ANONYM = re.compile(r"^[A-Za-z0-9-]{3,40}$")


def sok(user, raw: str) -> Deltagare | None:
    """A user's exact lookup by personnummer, if the policy lets them search at all."""
    from samverkan.auth import policy

    policy.require_search_deltagare(user)
    found = find_by_personnummer(user.forbund_id, raw, user_id=user.id)
    # Nothing about a person whose ärenden the user may not read: not even that they exist.
    if found is not None and not _far_lasa(user, found.id):
        return None
    return found


def _far_lasa(user, deltagare_id: int) -> bool:
    """The user may read the details of at least one ärende of the person."""
    from samverkan.arenden.models import Arende
    from samverkan.auth import policy

    return db.session.execute(
        db.select(Arende.id).where(Arende.deltagare_id == deltagare_id, policy.detail_arenden_clause(user))
        .limit(1)).first() is not None


def endast_egna_arenden(user, deltagare_id: int) -> bool:
    """Every ärende of the person is one whose details the user may read."""
    from samverkan.arenden.models import Arende
    from samverkan.auth import policy

    return db.session.execute(
        db.select(Arende.id).where(Arende.deltagare_id == deltagare_id, ~policy.detail_arenden_clause(user))
        .limit(1)).first() is None


def find_by_personnummer(forbund_id: int, raw: str, *, user_id: int) -> Deltagare | None:
    """Exact lookup (audited: a search by personnummer is itself a read of case data)."""
    nummer = personnummer.parse(raw).nummer
    found = db.session.execute(
        db.select(Deltagare).where(Deltagare.forbund_id == forbund_id, Deltagare.med_personnummer(nummer))
    ).scalar_one_or_none()
    audit.record("deltagare.sok", "deltagare", found.id if found else None, user_id=user_id,
                 falt=["personnummer"])
    return found


def find_or_create(
    forbund_id: int,
    *,
    user_id: int,
    kon: str,
    personnummer_raw: str | None = None,
    anonym_kod: str | None = None,
    fodelsear: int | None = None,
) -> Deltagare:
    """One person is one deltagare per förbund: an existing number is reused."""
    try:
        kon_value = Kon(kon)
    except ValueError:
        raise DomainError("ogiltigt_kon", "Välj kön.", field="kon") from None
    if bool(personnummer_raw) == bool(anonym_kod):
        raise DomainError(
            "identitet_saknas",
            "Ange antingen personnummer/samordningsnummer eller en anonym kod.",
            field="personnummer",
        )
    if personnummer_raw:
        ident = personnummer.parse(personnummer_raw)
        existing = find_by_personnummer(forbund_id, ident.nummer, user_id=user_id)
        if existing:
            return existing
        deltagare = Deltagare(
            forbund_id=forbund_id,
            personnummer=ident.nummer,
            samordningsnummer=ident.samordningsnummer,
            kon=kon_value,
            fodelsear=ident.fodelsedatum.year,
        )
    else:
        kod = anonym_kod.strip()
        if not _ANONYM.match(kod):
            raise DomainError("ogiltig_kod", "Den anonyma koden får bara innehålla bokstäver "
                              "a–z, siffror och bindestreck (3–40 tecken).", field="anonym_kod")
        if fodelsear is None or not 1900 <= fodelsear <= clock.today().year:
            raise DomainError("ogiltigt_fodelsear", "Ange ett giltigt födelseår.", field="fodelsear")
        existing = db.session.execute(
            db.select(Deltagare).where(Deltagare.forbund_id == forbund_id, Deltagare.anonym_kod == kod)
        ).scalar_one_or_none()
        if existing:
            return existing
        deltagare = Deltagare(forbund_id=forbund_id, anonym_kod=kod, kon=kon_value, fodelsear=fodelsear)
    db.session.add(deltagare)
    db.session.flush()
    audit.record("deltagare.skapa", "deltagare", deltagare.id, user_id=user_id,
                 falt=["personnummer" if personnummer_raw else "anonym_kod", "kon", "fodelsear"])
    return deltagare


def register_samtycke(
    arende_id: int,
    *,
    user_id: int,
    forbund_id: int,
    givet_den: dt.date,
    giltigt_till: dt.date,
    satt: str,
    part_ids: list[int],
    dokumentreferens: str = "",
) -> Samtycke:
    if givet_den > clock.today():
        raise DomainError("datum_i_framtiden", "Samtycket kan inte vara givet i framtiden.",
                          field="givet_den")
    if giltigt_till < givet_den:
        raise DomainError("ogiltig_period", "Giltigt till måste vara samma dag som eller efter "
                          "dagen då samtycket gavs.", field="giltigt_till")
    try:
        satt_value = SamtyckeSatt(satt)
    except ValueError:
        raise DomainError("ogiltigt_satt", "Ange hur samtycket gavs.", field="satt") from None
    parter = db.session.execute(
        db.select(Part).where(Part.id.in_(part_ids), Part.forbund_id == forbund_id)
    ).scalars().all()
    if not parter or len(parter) != len(set(part_ids)):
        raise DomainError("ogiltiga_parter", "Välj de parter som samtycket omfattar.", field="parter")
    samtycke = Samtycke(
        arende_id=arende_id,
        givet_den=givet_den,
        giltigt_till=giltigt_till,
        satt=satt_value,
        dokumentreferens=dokumentreferens.strip()[:200],
        parter=list(parter),
        registrerad_av_id=user_id,
    )
    db.session.add(samtycke)
    db.session.flush()
    audit.record("samtycke.registrera", "arende", arende_id, user_id=user_id,
                 falt=["samtycke"])
    return samtycke
