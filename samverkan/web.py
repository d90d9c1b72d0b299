"""Cross-cutting web behaviour: login required by default, idle timeout, security
headers, error pages, template filters, the start page and the health check."""

from __future__ import annotations

import datetime as dt
import logging

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, logout_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from samverkan.auth import policy, startsida
from samverkan.auth import services as auth_services
from samverkan.core import audit, clock, svenska
from samverkan.core.db import ID_MAX, db
from samverkan.core.errors import DomainError
from samverkan.core.extensions import login_manager
from samverkan.core.html import safe
from workflows import arende as wf

log = logging.getLogger(__name__)

# Seconds between writes of the last activity into the session cookie: the idle timeout
# then counts from at most this long before the last request, never later.
SENAST_STEG = 60


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)




class KakSession(SecureCookieSessionInterface):
    """Flask's signed cookie session with its signing serializer built once per set of
    keys, not twice a request (reading and writing the cookie): each construction tried
    the payload serializer with a trial ``dumps`` (issue 19). The same cookies."""

    def get_signing_serializer(self, app: Flask):
        nycklar = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        sparad = app.extensions.get("samverkan.kaka")
        if sparad is None or sparad[0] != nycklar:
            sparad = app.extensions["samverkan.kaka"] = (nycklar, super().get_signing_serializer(app))
        return sparad[1]


def init_app(app: Flask) -> None:
    login_manager.user_loader(auth_services.load_session_user)
    app.session_interface = KakSession()
    if proxies := int(app.config.get("PROXY_ANTAL") or 0):
        # Behind a TLS-terminating proxy: trust its X-Forwarded-For/-Proto (and only that
        # many hops), so HSTS and secure redirects see https, and the login throttle counts
        # the client's address rather than the proxy's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.before_request
    def _ids_in_range():
        if request.url_rule is None:
            return None  # no route or no such method: the 404/405 handler answers (with Allow)
        # /arenden/99999999999999999999 names no row: 404, not a driver overflow and a 500.
        # (A bounded URL converter would do it, but werkzeug then answers 405 for the
        # other methods of the same path.)
        if any(isinstance(v, int) and v > ID_MAX for v in (request.view_args or {}).values()):
            abort(404)
        # The same for an id or a page number in a page's query or form (team=…, mote_id=…,
        # sida=…), either sign: no such row, no such page. The API checks its own
        # parameters and answers in JSON.
        falt = (*request.args.items(), *_form_items())
        if request.blueprint != "api" and any(
            (namn in _HELTALSNAMN or namn.endswith("_id")) and _heltal_utanfor(v) for namn, v in falt
        ):
            abort(404)
        # A NUL character in a query or form value: PostgreSQL text cannot hold it, and no
        # user types one (JSON bodies are checked field by field by the API's schemas).
        if any("\x00" in v for _, v in falt):
            abort(400)
        return None

    @app.before_request
    def _require_login():
        endpoint = request.endpoint
        if endpoint is None:
            return None  # 404/405: the error handler answers
        rule = policy.regel_for(app.view_functions[endpoint])
        if rule is None and endpoint != "static":
            log.error("endpoint %s has no access rule", endpoint)
            abort(500)
        if request.blueprint == "api" or rule == "offentlig" or endpoint == "static":
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        # Idle timeout, checked on the server: the cookie's own expiry is the browser's word.
        senast = session.get("senast")
        now = clock.now().timestamp()
        if senast and now - senast > app.config["IDLE_TIMEOUT"].total_seconds():
            logout_user()
            session.clear()
            flash("Du har loggats ut efter en tids inaktivitet.", "info")
            return redirect(url_for("auth.login", next=request.full_path))
        if not senast or now - senast >= SENAST_STEG:
            # At most once a minute: a changed cookie is signed and sent again (issue 19).
            session["senast"] = now
            session.permanent = True
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":
            # Case data must not linger in shared or browser caches.
            response.headers["Cache-Control"] = "no-store"
        return response

    # The request machinery (core/anrop.py) has rolled back before any error handler runs.
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        audit_nekad(error)
        if request.blueprint == "api":
            return jsonify(fel={"kod": error.code, "meddelande": error.message, "falt": error.field}), error.status
        return render_template("fel.html", status=error.status, meddelande=error.message), error.status

    for status, message in (
        (400, "Begäran kunde inte förstås. Ladda om sidan och försök igen."),
        (404, "Sidan finns inte."),
        (405, "Den här åtgärden går inte att göra på den här sidan."),
        (413, "Det du skickade är för stort (högst 5 MB). Dela upp filen och försök igen."),
        (500, "Något gick fel hos oss. Inget sparades. Försök igen om en stund."),
    ):
        app.register_error_handler(status, _http_error(status, message))

    @app.route("/")
    @policy.regel("inloggad")
    def start():
        return redirect(url_for(startsida.endpoint_for(current_user)), code=303)

    @app.route("/halsa")
    @policy.regel("offentlig")
    def halsa():
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok")

    app.jinja_env.filters["datum"] = format_datum
    app.jinja_env.filters["tid"] = format_tid
    app.jinja_env.filters["datumtid"] = format_datumtid
    app.jinja_env.filters["klockslag"] = format_klockslag
    app.jinja_env.filters["saker_html"] = safe
    # Numbers and plurals in Swedish: {{ n|tal }}, {{ andel|procent }}, {{ n|antal('dag', 'dagar') }}.
    app.jinja_env.filters["tal"] = svenska.tal
    app.jinja_env.filters["procent"] = svenska.procent
    app.jinja_env.filters["antal"] = svenska.antal
    app.jinja_env.globals["STATE_LABELS"] = wf.STATE_LABELS
    app.jinja_env.globals["TRIGGER_LABELS"] = wf.TRIGGER_LABELS
    # The main menu's entries are the policy's decision (templates/base.html).
    app.jinja_env.globals["meny_html"] = meny_html
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["url_mall"] = url_mall

    @app.context_processor
    def _globals():
        # csrf_token again: Flask-WTF's own context processor puts its generate_csrf in
        # every template's context, where it hides the global above.
        return {"nu": clock.now(), "csrf_token": csrf_token}



# Rendered menus kept per app: at most one per roles × page, a few hundred in all; the
# bound only guards against a surprise.
_MENYER_MAX = 5000


def meny_html(del_: str) -> Markup:
    """The account menu (``del_="konto"``) or the main menu of templates/_meny.html for
    the current user and page, rendered once per combination of the user's menu
    (``policy.meny``, from their roles), the page's endpoint and the app's address
    prefix, and kept: every page shows it and its links cost a dozen ``url_for`` and
    macro calls a render (issue 19)."""
    m = policy.meny(current_user) if del_ == "huvud" else None
    menyer = current_app.extensions.setdefault("samverkan.menyer", {})
    nyckel = (del_, m, request.endpoint, request.script_root)
    html = menyer.get(nyckel)
    if html is None:
        if len(menyer) >= _MENYER_MAX:
            menyer.clear()
        # An autoescaped template's output: already HTML.
        html = menyer[nyckel] = Markup(render_template("_meny.html", del_=del_, m=m))  # noqa: S704  # nosec B704  # autoescaped template output
    return html


def csrf_token() -> str:
    """Flask-WTF's token for the templates' forms. It signs the token once a request and
    keeps it on ``g`` (its documented place), but reads the configuration again on every
    call: a page with a form per row (the agenda builder) calls it dozens of times."""
    token = g.get(_CSRF_FALT)
    return token if token is not None else generate_csrf()


# A value no id takes: ``url_mall`` builds the URL with it once and fills the row's id in.
_LUCKA = 918_273_645_501


def url_mall(endpoint: str, falt: str, **values):
    """``url_for(endpoint, **values, falt=id)`` as a pattern of the id, the URL built once:
    ``{{ mall % id }}`` in a template. A page with links and forms per row (the agenda
    builder) called ``url_for`` about a hundred times a render (issue 19), and a function
    called from a template still cost ≈2.4 µs a link through Jinja's ``context.call``,
    where ``%`` runs as Python's own operator. The same URL as ``url_for`` gives."""
    url = url_for(endpoint, **values, **{falt: _LUCKA})
    fore, lucka, efter = url.partition(str(_LUCKA))
    if not lucka or str(_LUCKA) in efter:
        return _UrlFor(endpoint, falt, values)
    return f"{fore.replace('%', '%%')}%d{efter.replace('%', '%%')}"


class _UrlFor:
    """``url_mall``'s pattern where the id's place in the URL cannot be found: ``url_for``
    for each id."""

    def __init__(self, endpoint: str, falt: str, values: dict):
        self.endpoint, self.falt, self.values = endpoint, falt, values

    def __mod__(self, id_) -> str:
        return url_for(self.endpoint, **self.values, **{self.falt: id_})


# Flask-WTF's name for the token, in the session and on ``g`` (WTF_CSRF_FIELD_NAME unset).
_CSRF_FALT = "csrf_token"


def audit_nekad(error: DomainError) -> None:
    """A refused read of an ärende the user knows of (403 from policy.require), web or API
    alike, in that ärende's trail: written after the rollback, in a transaction of its own."""
    arende_id = getattr(error, "arende_id", None)
    if error.status != 403 or arende_id is None:
        return
    user = g.get("api_user") or (current_user if current_user.is_authenticated else None)
    audit.record_apart("arende.nekad", "arende", arende_id, user_id=user.id if user else None)


# Query and form parameters read with ``type=int`` besides the ``…_id`` ones.
_HELTALSNAMN = frozenset({"team", "sida"})


def _heltal_utanfor(value: str) -> bool:
    """A whole number the database cannot hold (beyond ±ID_MAX)."""
    digits = value.strip().removeprefix("-").removeprefix("+")
    return digits.isdigit() and int(digits) > ID_MAX


def _form_items() -> list[tuple[str, str]]:
    if request.method in ("GET", "HEAD") or request.mimetype not in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        return []
    return list(request.form.items())


def _http_error(status: int, message: str):
    def handler(error):
        if status == 500:
            log.exception("unhandled error")
        # RFC 9110: a 405 names the methods the resource has.
        methods = getattr(error, "valid_methods", None)
        headers = {"Allow": ", ".join(sorted(methods))} if methods else {}
        if request.path.startswith("/api/"):
            return jsonify(fel={"kod": f"http_{status}", "meddelande": message, "falt": None}), status, headers
        return render_template("fel.html", status=status, meddelande=message), status, headers

    return handler


def format_datum(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = clock.local(value).date()
    return value.isoformat()


def format_tid(value: dt.datetime | None) -> str:
    return clock.local(value).strftime("%H:%M") if value else ""


def format_klockslag(value: dt.time | None) -> str:
    """A wall-clock time already local (an agenda slot): 13:00."""
    return value.strftime("%H:%M") if value else ""


def format_datumtid(value: dt.datetime | None) -> str:
    return f"{format_datum(value)} {format_tid(value)}" if value else ""
