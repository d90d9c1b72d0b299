"""Login (password, then the two-factor code), logout, two-factor enrolment and the
user's own API tokens; and the hook that keeps a password-only session in the
restricted state until two-factor login is set up."""

from __future__ import annotations

from urllib.parse import urlsplit

import segno
from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from samverkan.auth import konto, policy, services, throttle, tvafaktor
from samverkan.auth.forms import (
    BekraftaKodForm,
    BytLosenordForm,
    EmptyForm,
    GlomtForm,
    KodForm,
    LoginForm,
    TokenForm,
    ValjLosenordForm,
)
from samverkan.auth.models import User
from samverkan.core import anrop, clock
from samverkan.core.errors import DomainError
from samverkan.core.handling import utfor

bp = Blueprint("auth", __name__)

# Session keys. VANTAR: a login that passed the password and waits for its code (user
# id, session version, deadline); nobody is logged in yet. KLAR: this session passed
# the code step (or enrolment), checked on every request of a user who has 2FA on.
VANTAR = "tvafaktor_vantar"
KLAR = "tvafaktor_klar"
# What a restricted session (2FA required, not set up) may reach besides public pages.
_BEGRANSAD_TILLATET = {"auth.tvafaktor", "auth.logout", "auth.konto", "auth.byt_losenord"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_tvafaktor_sparr)


def _tvafaktor_sparr():
    """Fail closed: runs after web's login check, on every UI request of a logged-in user."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static" or request.blueprint == "api":
        return None
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return None
    if user.totp_aktiv and not session.get(KLAR):
        # An enrolled user's session that never showed a code: not a login at all.
        logout_user()
        session.clear()
        return redirect(url_for("auth.login"), code=303)
    if endpoint in _BEGRANSAD_TILLATET or policy.regel_for(current_app.view_functions[endpoint]) == "offentlig":
        return None
    if tvafaktor.begransad(user):
        flash("Aktivera tvåfaktorsinloggning för att fortsätta.", "info")
        return redirect(url_for("auth.tvafaktor"), code=303)
    return None


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after login is a phishing tool.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("start")


@bp.route("/logga-in", methods=["GET", "POST"])
@policy.regel("offentlig")
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.epost.data, form.losenord.data, request.remote_addr or "")
        except DomainError as error:
            # The failed attempt stays: the page is an answer, and the request commits it
            # (the throttle counts it).
            form.losenord.errors.append(error.message)
            status = error.status
        else:
            session.clear()  # a fresh session on login: no fixation
            if user.totp_aktiv:
                # Not logged in yet: the code step finishes the login.
                session[VANTAR] = {"id": user.id, "v": user.sessionsversion,
                                   "till": (clock.now() + tvafaktor.VANTETID).timestamp()}
                return redirect(url_for("auth.kod", next=request.args.get("next")), code=303)
            login_user(user)
            return throttle.markera_kand_enhet(redirect(_safe_next(request.args.get("next")), code=303), user.id)
    elif request.method == "POST":
        status = 400 if "csrf_token" in form.errors else 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logga-in/las-upp/<string:token>")
@policy.regel("offentlig")
def las_upp(token: str):
    """The link in the mail about failed logins: this browser becomes a known device for
    the account, so the owner gets in with the password while the account is locked for
    unknown devices. Nobody is logged in by it."""
    user = throttle.las_upp_user(token)
    if user is None:
        flash("Länken är för gammal eller felaktig. Logga in som vanligt, eller vänta en stund.", "fel")
        return redirect(url_for("auth.login"))
    user_id = user.id
    flash("Den här webbläsaren är nu känd för ditt konto. Logga in med ditt lösenord.", "info")
    return throttle.markera_kand_enhet(redirect(url_for("auth.login")), user_id)


def _vantande() -> dict | None:
    vantar = session.get(VANTAR)
    if not isinstance(vantar, dict) or vantar.get("till", 0) < clock.now().timestamp():
        return None
    return vantar


@bp.route("/logga-in/kod", methods=["GET", "POST"])
@policy.regel("offentlig")
def kod():
    vantar = _vantande()
    if vantar is None:
        session.pop(VANTAR, None)
        if request.method == "POST":
            flash(tvafaktor.AVBRUTEN, "fel")
        return redirect(url_for("auth.login", next=request.args.get("next")))
    form = KodForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = tvafaktor.verify_login(vantar["id"], vantar["v"], form.kod.data, request.remote_addr or "")
        except DomainError as error:
            # The failed attempt stays (the request commits what the view answers with).
            if error.code == "inloggning_avbruten":
                session.pop(VANTAR, None)
                flash(error.message, "fel")
                return redirect(url_for("auth.login"), code=303)
            form.kod.errors.append(error.message)
            status = error.status
        else:
            session.clear()
            login_user(user)
            session[KLAR] = True
            return throttle.markera_kand_enhet(redirect(_safe_next(request.args.get("next")), code=303), user.id)
    elif request.method == "POST":
        status = 400 if "csrf_token" in form.errors else 422
    return render_template("auth/kod.html", form=form), status


@bp.route("/logga-ut", methods=["POST"])
@policy.regel("inloggad")
def logout():
    if EmptyForm().validate_on_submit():
        services.end_sessions(current_user)
        logout_user()
        session.clear()
        flash("Du är utloggad.", "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/konto/api-tokens", methods=["GET", "POST"])
@policy.regel("inloggad")
def tokens():
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        try:
            _, secret = services.create_token(current_user, form.namn.data, omfang=form.omfang.data,
                                              dagar=int(form.dagar.data) if (form.dagar.data or "").strip() else None)
        except DomainError as error:
            getattr(form, error.field or "namn", form.namn).errors.append(error.message)
    return render_template("auth/tokens.html", form=form, secret=secret, nu=clock.now(),
                           tokens=services.tokens_of(current_user), revoke_form=EmptyForm())


@bp.route("/konto/api-tokens/<int:token_id>/aterkalla", methods=["POST"])
@policy.regel("inloggad")
def revoke(token_id: int):
    if EmptyForm().validate_on_submit():
        services.revoke_token(current_user, token_id)
        flash("Token är återkallad.", "info")
    return redirect(url_for("auth.tokens"), code=303)


@bp.route("/konto/tvafaktor", methods=["GET", "POST"], endpoint="tvafaktor")
@policy.regel("inloggad")
@anrop.skriver  # the page itself stores a new secret to enrol with
def tvafaktor_sida():
    user: User = current_user._get_current_object()
    if user.totp_aktiv:
        return render_template("auth/tvafaktor_aktiv.html", form=BekraftaKodForm(formdata=None),
                               kvar=tvafaktor.unused_recovery_codes(user))
    form = BekraftaKodForm()
    status = 200
    if form.validate_on_submit():
        with utfor(visa=lambda error: form.kod.errors.append(error.message), sprid=()) as h:
            koder = tvafaktor.confirm_enrolment(user, form.kod.data)
        if h.fel:
            status = h.status
        else:
            # The session version moved (other sessions end); this one has shown a code.
            session.clear()
            login_user(user)
            session[KLAR] = True
            flash("Tvåfaktorsinloggning är aktiverad.", "ok")
            return render_template("auth/aterstallningskoder.html", koder=koder)
    elif request.method == "POST":
        status = 400 if "csrf_token" in form.errors else 422
    hemlighet = tvafaktor.start_enrolment(user)
    uri = tvafaktor.provisioning_uri(user)
    return render_template(
        "auth/tvafaktor.html", form=form, uri=uri, qr=segno.make(uri, error="m").svg_data_uri(scale=5),
        hemlighet=" ".join(hemlighet[i:i + 4] for i in range(0, len(hemlighet), 4)),
    ), status


@bp.route("/konto/tvafaktor/nya-koder", methods=["POST"])
@policy.regel("inloggad")
def nya_koder():
    user: User = current_user._get_current_object()
    form = BekraftaKodForm()
    if form.validate_on_submit():
        try:
            koder = tvafaktor.new_recovery_codes(user, form.kod.data, request.remote_addr or "")
        except DomainError as error:
            # The failed attempt stays (the request commits what the view answers with).
            form.kod.errors.append(error.message)
            return render_template("auth/tvafaktor_aktiv.html", form=form,
                                   kvar=tvafaktor.unused_recovery_codes(user)), error.status
        return render_template("auth/aterstallningskoder.html", koder=koder)
    return render_template("auth/tvafaktor_aktiv.html", form=form,
                           kvar=tvafaktor.unused_recovery_codes(user)), 422


# --- one's own account: password change, forgotten password, the one-time link ------------


@bp.route("/konto/", endpoint="konto")
@policy.regel("inloggad")
def konto_sida():
    return render_template("auth/konto.html")


@bp.route("/konto/losenord", methods=["GET", "POST"])
@policy.regel("inloggad")
def byt_losenord():
    user: User = current_user._get_current_object()
    form = BytLosenordForm()
    status = 200
    if form.validate_on_submit():
        with utfor(form=form) as h:
            konto.byt_losenord(user, form.nuvarande.data, form.losenord.data, form.upprepa.data)
            h.klart("Lösenordet är bytt. Du är utloggad på alla andra enheter.")
        if not h.fel:
            # The session version moved: every other session has ended; this one goes on.
            klar = session.get(KLAR)
            session.clear()
            login_user(user)
            if klar:
                session[KLAR] = True
            return redirect(url_for("auth.konto"), code=303)
        status = h.status
    elif request.method == "POST":
        status = 400 if "csrf_token" in form.errors else 422
    return render_template("auth/byt_losenord.html", form=form), status


@bp.route("/konto/glomt-losenord", methods=["GET", "POST"])
@policy.regel("offentlig")
def glomt_losenord():
    form = GlomtForm()
    if form.validate_on_submit():
        konto.begar_aterstallning(form.epost.data)
        # The same answer whatever the address: the page does not tell who has an account.
        flash("Om adressen hör till ett konto har vi skickat en länk för att välja nytt lösenord. "
              "Länken gäller i två timmar.", "info")
        return redirect(url_for("auth.login"), code=303)
    status = (400 if "csrf_token" in form.errors else 422) if request.method == "POST" else 200
    return render_template("auth/glomt_losenord.html", form=form), status


@bp.route("/konto/valj-losenord/<string:token>", methods=["GET", "POST"])
@policy.regel("offentlig")
def valj_losenord(token: str):
    try:
        lank = konto.giltig_lank(token)
    except DomainError as error:
        return render_template("auth/valj_losenord.html", form=None, fel=error.message), error.status
    form = ValjLosenordForm()
    status = 200
    if form.validate_on_submit():
        with utfor(form=form) as h:
            konto.anvand_lank(token, form.losenord.data, form.upprepa.data)
            h.klart("Ditt lösenord är sparat. Logga in med din e-postadress och lösenordet.")
        if not h.fel:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            return redirect(url_for("auth.login"), code=303)
        status = h.status
    elif request.method == "POST":
        status = 400 if "csrf_token" in form.errors else 422
    return render_template("auth/valj_losenord.html", form=form, epost=lank.user.epost, fel=None), status
