"""Which pages the browser tests visit, as whom, and with which URL parameters.

The list of pages is the Flask URL map itself: every rule answering GET, except static
files and the JSON API. For each endpoint the user comes from its access rule
(``policy.regel_for``) and each URL parameter from a resolver keyed by the parameter's
name (or by endpoint and name where one endpoint needs a particular row). A page added
later with a parameter nobody knows how to fill makes ``planera`` raise ``Olost`` and its
test fail, naming the endpoint: add a resolver here, and the page is checked from then on.

Resolvers query the live server's database (demo data plus ``komplettera``'s few rows)
inside an app context; they return ids, never objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pyotp
from flask import Flask
from sqlalchemy import func, select

from samverkan.anteckningar import services as anteckning_services
from samverkan.anteckningar.models import Anteckning
from samverkan.arenden.models import Arende
from samverkan.auth import policy, throttle, tvafaktor
from samverkan.auth import services as auth_services
from samverkan.auth.models import ApiToken, User
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.forbund.models import Part, Team
from samverkan.kallelser import services as kallelse_services
from samverkan.kallelser.models import Utskick, UtskickTyp
from samverkan.moten import dagordning
from samverkan.moten.models import Dagordningspunkt, Mote, PunktStatus
from tests.browser.helpers import ADMIN, HANDLAGGARE, LEDAMOT, PROJEKTLEDARE, STYRGRUPP
from workflows import arende as wf

DEMOTEAM = "Trisam Exempelby"
# A demo user who gets two-factor login in ``komplettera``: the code step's page is
# reached by logging in with this user's password.
TVAFAKTOR_ANVANDARE = "region.norrby@example.org"

# --- who looks at a page -------------------------------------------------------------------

ANVANDARE_PER_REGEL: dict[str, str | None] = {
    "offentlig": None,  # not logged in
    "inloggad": LEDAMOT,
    "handlaggare": HANDLAGGARE,
    "arende_referens": PROJEKTLEDARE,
    "arende_detaljer": PROJEKTLEDARE,
    "arende_handling": PROJEKTLEDARE,
    "team_medlem": PROJEKTLEDARE,
    "protokoll": PROJEKTLEDARE,  # a team member reads the whole protokoll
    "projektledare": PROJEKTLEDARE,
    "admin": ADMIN,
    "styrgrupp": STYRGRUPP,
    "rapport": STYRGRUPP,  # the förbund's reports, small numbers hidden
}


def _utkastets_handlaggare() -> str:
    return db.session.get(Arende, _utkast()).handlaggare.epost


# Endpoints whose page only one particular user reaches (an e-mail, or a function of the data).
ANVANDARE_PER_ENDPOINT: dict[str, str | Callable[[], str] | None] = {
    "aktualisering.redigera": _utkastets_handlaggare,  # one's own draft only
}

# Endpoints that answer something else than an HTML page: checked for status and type only.
DOKUMENT = {
    "halsa": "application/json",
    "loggkontroll.export": "text/csv",
    "rapporter.export_csv": "text/csv",
    "rapporter.export_xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "rapporter.export_pdf": "application/pdf",
    "rapporter.finsam_export": "text/csv",
    "protokoll.som_pdf": "application/pdf",
}

# Endpoints whose page is reached through a step before the visit (``Uppdrag.forbered``).
FORBEREDELSE = {
    "auth.kod": "tvafaktor_losenord",  # the password step of a two-factor login
}

# --- where a URL parameter comes from --------------------------------------------------------


def _team() -> int:
    return db.session.execute(select(Team.id).where(Team.namn == DEMOTEAM)).scalar_one()


def _visningsarende() -> int:
    """An open ärende of the demo team with a long history: in insats, consent standing."""
    return db.session.execute(
        select(Arende.id).where(Arende.team_id == _team(), Arende.status == wf.I_INSATS).order_by(Arende.id)
    ).scalars().first()


def _utkast() -> int:
    return db.session.execute(
        select(Arende.id).where(Arende.team_id == _team(), Arende.status == wf.UTKAST).order_by(Arende.id)
    ).scalars().first()


def _nasta_mote() -> int:
    """The demo team's next meeting that has booked agenda items."""
    return db.session.execute(
        select(Mote.id).join(Dagordningspunkt, Dagordningspunkt.mote_id == Mote.id)
        .where(Mote.team_id == _team(), Mote.starttid > clock.now(), Mote.installt.is_(None),
               Dagordningspunkt.status == PunktStatus.BOKAD)
        .order_by(Mote.starttid)
    ).scalars().first()


def _punkt(params: dict) -> int:
    """A booked item of the meeting in the URL, the individual invited (the letter needs it)."""
    return db.session.execute(
        select(Dagordningspunkt.id)
        .where(Dagordningspunkt.mote_id == params["mote_id"], Dagordningspunkt.status == PunktStatus.BOKAD)
        .order_by(Dagordningspunkt.individen_medverkar.desc(), Dagordningspunkt.ordning)
    ).scalars().first()


def _anteckning(params: dict) -> int:
    return db.session.execute(
        select(Anteckning.id).where(Anteckning.arende_id == params["arende_id"]).order_by(Anteckning.id.desc())
    ).scalars().first()


def _utskick() -> int:
    return db.session.execute(
        select(Utskick.id).join(Mote, Mote.id == Utskick.mote_id).where(Mote.team_id == _team())
        .order_by(Utskick.id)
    ).scalars().first()


def _token(epost: str) -> int:
    return db.session.execute(
        select(ApiToken.id).join(User, User.id == ApiToken.user_id).where(User.epost == epost)
    ).scalars().first()


def _ny_lank() -> str:
    """A fresh one-time link's secret (the password page of an invitation or reset)."""
    import re

    from samverkan.auth import konto
    from samverkan.auth.models import LankSyfte

    utskick = konto.skicka_lank(_user(LEDAMOT), LankSyfte.ATERSTALLNING, av_id=None)
    db.session.commit()
    return re.search(r"/konto/valj-losenord/(\S+)", utskick.text).group(1)


def _forsta(kolumn, *villkor) -> int:
    return db.session.execute(select(kolumn).where(*villkor).order_by(kolumn)).scalars().first()


# By parameter name: f(params resolved so far, user's e-mail) -> value.
PARAMETRAR: dict[str, Callable[[dict, str | None], object]] = {
    "arende_id": lambda p, u: _visningsarende(),
    "team_id": lambda p, u: _team(),
    "mote_id": lambda p, u: _nasta_mote(),
    "punkt_id": lambda p, u: _punkt(p),
    "anteckning_id": lambda p, u: _anteckning(p),
    "nid": lambda p, u: _anteckning(p),
    "utskick_id": lambda p, u: _utskick(),
    "token_id": lambda p, u: _token(u),
    # The förbund admin's pages (issue 14).
    "part_id": lambda p, u: _forsta(Part.id, Part.forbund_id == _user(ADMIN).forbund_id),
    "anvandare_id": lambda p, u: _user(HANDLAGGARE).id,
    "token": lambda p, u: _ny_lank(),
}
# Pages that answer another status on the demo data: the first visit's set-up exists only
# while the database holds no förbund.
STATUS = {"kom_igang.kom_igang": 404}
# By (endpoint, parameter name), before the table above.
PARAMETRAR_PER_ENDPOINT: dict[tuple[str, str], Callable[[dict, str | None], object]] = {
    ("aktualisering.redigera", "arende_id"): lambda p, u: _utkast(),
    # The mailed unlock link (failed logins): it marks the browser and lands on the login page.
    ("auth.las_upp", "token"): lambda p, u: throttle.las_upp_token(_user(LEDAMOT)),
}

# --- the plan --------------------------------------------------------------------------------


class Olost(Exception):
    """The browser tests do not know how to reach this page."""


@dataclass(frozen=True)
class Uppdrag:
    """One page to check: who, where, and what to expect."""

    endpoint: str
    anvandare: str | None
    sokvag: str
    forbered: str | None = None
    dokument: str | None = None
    status: int = 200


def get_endpoints(app: Flask) -> list[str]:
    """Every endpoint with a GET page: not static files, not the JSON API."""
    return sorted({
        rule.endpoint for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint != "static" and not rule.endpoint.startswith("api.")
    })


def planera(app: Flask, endpoint: str) -> Uppdrag:
    """How to check ``endpoint``'s page; call inside an app context of the live server's app."""
    rules = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "GET" in r.methods]
    if not rules:
        raise Olost(f"{endpoint}: ingen GET-regel i URL-kartan")
    rule = rules[0]
    regel = policy.regel_for(app.view_functions[endpoint])
    if endpoint in ANVANDARE_PER_ENDPOINT:
        vem = ANVANDARE_PER_ENDPOINT[endpoint]
        anvandare = vem() if callable(vem) else vem
    elif regel in ANVANDARE_PER_REGEL:
        anvandare = ANVANDARE_PER_REGEL[regel]
    else:
        raise Olost(f"{endpoint}: åtkomstregeln {regel!r} saknar användare i ANVANDARE_PER_REGEL "
                    "(tests/browser/sidor.py)")
    params: dict[str, object] = {}
    # URL order: a meeting before its agenda item, an ärende before its note.
    for name in sorted(rule.arguments, key=lambda a: rule.rule.index(f":{a}>")):
        resolver = PARAMETRAR_PER_ENDPOINT.get((endpoint, name)) or PARAMETRAR.get(name)
        if resolver is None:
            raise Olost(f"{endpoint}: vet inte hur URL-parametern {name!r} ska fyllas i {rule.rule}; "
                        "lägg till den i PARAMETRAR eller PARAMETRAR_PER_ENDPOINT i tests/browser/sidor.py")
        value = resolver(params, anvandare)
        if value is None:
            raise Olost(f"{endpoint}: demodata saknar en rad för {name!r} ({rule.rule})")
        params[name] = value
    sokvag = app.url_map.bind("localhost").build(endpoint, params)
    return Uppdrag(endpoint=endpoint, anvandare=anvandare, sokvag=sokvag, forbered=FORBEREDELSE.get(endpoint),
                   dokument=DOKUMENT.get(endpoint), status=STATUS.get(endpoint, 200))


# --- rows the demo data does not have ---------------------------------------------------------


def _user(epost: str) -> User:
    return db.session.execute(select(User).where(User.epost == epost)).scalar_one()


def komplettera() -> None:
    """Add, through the real services, what some pages need and the demo lacks: a note
    (correction and addendum pages), an invited individual (the invitation letter), a
    kallelse in the outbox, an API token and a user with two-factor login. Commits."""
    pl = _user(PROJEKTLEDARE)
    arende_id = _visningsarende()
    if not db.session.execute(select(func.count(Anteckning.id)).where(Anteckning.arende_id == arende_id)).scalar():
        anteckning_services.create(pl, arende_id, "<p>Deltagaren har börjat i arbetsträning två dagar i veckan.</p>")

    mote_id = _nasta_mote()
    punkt_id = _punkt({"mote_id": mote_id})
    if not db.session.get(Dagordningspunkt, punkt_id).individen_medverkar:
        dagordning.andra_punkt(pl, mote_id, punkt_id, langd_minuter=None, individen_medverkar=True)
    db.session.commit()

    if _utskick() is None:
        # The kallelse as the scheduler writes it, at the moment it falls due.
        nu = clock.now()
        kallelse_services.planera_saknade(nu)
        mote = db.session.get(Mote, mote_id)
        kallelse_services.skriv(UtskickTyp.KALLELSE, mote_id, max(nu, mote.kallelse_planerad))
        db.session.commit()

    _komplettera_uppfoljning(pl, arende_id)

    if _token(LEDAMOT) is None:
        auth_services.create_token(_user(LEDAMOT), "Exempelintegration")

    user = _user(TVAFAKTOR_ANVANDARE)
    if not user.totp_aktiv:
        hemlighet = tvafaktor.start_enrolment(user)
        tvafaktor.confirm_enrolment(user, pyotp.TOTP(hemlighet).now())
    db.session.commit()


def _komplettera_uppfoljning(pl: User, arende_id: int) -> None:
    """Measurements (the progress chart on the case page) and an overdue handlingsplan
    action of the handläggare's party (the overdue list), as meeting mode records them."""
    from samverkan.samplanering.models import Atgard
    from samverkan.uppfoljning.models import Steg, Stegmatning

    arende = db.session.get(Arende, arende_id)
    if not db.session.scalar(select(func.count(Stegmatning.id)).where(Stegmatning.arende_id == arende_id)):
        steg = {s.nummer: s.id for s in db.session.execute(
            select(Steg).where(Steg.forbund_id == arende.forbund_id)).scalars()}
        idag = clock.today()
        for dagar, nummer, grad, ors in ((120, 1, 0, None), (60, 3, 25, 19), (10, 4, 50, 26)):
            db.session.add(Stegmatning(arende_id=arende_id, datum=idag - dt.timedelta(days=dagar),
                                       steg_id=steg[nummer], sysselsattningsgrad=grad, ors=ors,
                                       registrerad_av_id=pl.id))
    if not db.session.scalar(select(func.count(Atgard.id)).where(Atgard.arende_id == arende_id)):
        db.session.add(Atgard(arende_id=arende_id, beskrivning="Boka trepartssamtal", part_id=_user(HANDLAGGARE).part_id,
                              ansvarig="Handläggaren på Arbetsförmedlingen",
                              klar_senast=clock.today() - dt.timedelta(days=5), skapad_av_id=pl.id))
    db.session.commit()
