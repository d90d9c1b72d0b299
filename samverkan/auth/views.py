"""Login (password, then the two-factor code), logout, two-factor enrolment and the
user's own API tokens; and the hook that keeps a password-only session in the
restricted state until two-factor login is set up."""

from __future__ import annotations

from urllib.parse import urlsplit

import segno
from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from samverkan.auth import policy, services, throttle, tvafaktor
from samverkan.auth.forms import BekraftaKodForm, EmptyForm, KodForm, LoginForm, TokenForm
from samverkan.auth.models import User
from samverkan.core import clock
from samverkan.core.db import db
from samverkan.core.errors import DomainError

bp = Blueprint("auth", __name__)

# Session keys. VANTAR: a login that passed the password and waits for its code (user
# id, session version, deadline); nobody is logged in yet. KLAR: this session passed
# the code step (or enrolment), checked on every request of a user who has 2FA on.
VANTAR = "tvafaktor_vantar"
KLAR = "tvafaktor_klar"
# What a restricted session (2FA required, not set up) may reach besides public pages.
_BEGRANSAD_TILLATET = {"auth.tvafaktor", "auth.logout"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_tvafaktor_sparr)


def _tvafaktor_sparr():
    """Fail closed: runs after web's login check, on every UI request of a logged-in user."""
    if request.endpoint is None or request.endpoint == "static" or request.blueprint == "api":
        return None
    if not current_user.is_authenticated:
        return None
    if current_user.totp_aktiv and not session.get(KLAR):
        # An enrolled user's session that never showed a code: not a login at all.
        logout_user()
        session.clear()
        return redirect(url_for("auth.login"), code=303)
    if (request.endpoint in _BEGRANSAD_TILLATET
            or policy.regel_for(current_app.view_functions[request.endpoint]) == "offentlig"):
        return None
    if tvafaktor.begransad(current_user):
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
            db.session.commit()  # keep the failed attempt: the throttle counts it
            form.losenord.errors.append(error.message)
            status = error.status
        else:
            session.clear()  # a fresh session on login: no fixation
            if user.totp_aktiv:
                # Not logged in yet: the code step finishes the login.
                session[VANTAR] = {"id": user.id, "v": user.sessionsversion,
                                   "till": (clock.now() + tvafaktor.VANTETID).timestamp()}
                db.session.commit()
                return redirect(url_for("auth.kod", next=request.args.get("next")), code=303)
            login_user(user)
            user_id = user.id
            db.session.commit()
            return throttle.markera_kand_enhet(redirect(_safe_next(request.args.get("next")), code=303), user_id)
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
    db.session.rollback()
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
            db.session.commit()  # keep the failed attempt: the throttle counts it
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
            user_id = user.id
            db.session.commit()
            return throttle.markera_kand_enhet(redirect(_safe_next(request.args.get("next")), code=303), user_id)
    elif request.method == "POST":
        status = 400 if "csrf_token" in form.errors else 422
    return render_template("auth/kod.html", form=form), status


@bp.route("/logga-ut", methods=["POST"])
@policy.regel("inloggad")
def logout():
    if EmptyForm().validate_on_submit():
        services.end_sessions(current_user)
        db.session.commit()
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
            _, secret = services.create_token(current_user, form.namn.data)
        except DomainError as error:
            form.namn.errors.append(error.message)
        else:
            db.session.commit()
    return render_template("auth/tokens.html", form=form, secret=secret,
                           tokens=services.tokens_of(current_user), revoke_form=EmptyForm())


@bp.route("/konto/api-tokens/<int:token_id>/aterkalla", methods=["POST"])
@policy.regel("inloggad")
def revoke(token_id: int):
    if EmptyForm().validate_on_submit():
        services.revoke_token(current_user, token_id)
        db.session.commit()
        flash("Token är återkallad.", "info")
    return redirect(url_for("auth.tokens"), code=303)


@bp.route("/konto/tvafaktor", methods=["GET", "POST"], endpoint="tvafaktor")
@policy.regel("inloggad")
def tvafaktor_sida():
    user: User = current_user._get_current_object()
    if user.totp_aktiv:
        return render_template("auth/tvafaktor_aktiv.html", form=BekraftaKodForm(formdata=None),
                               kvar=tvafaktor.unused_recovery_codes(user))
    form = BekraftaKodForm()
    status = 200
    if form.validate_on_submit():
        try:
            koder = tvafaktor.confirm_enrolment(user, form.kod.data)
        except DomainError as error:
            db.session.rollback()
            form.kod.errors.append(error.message)
            status = error.status
        else:
            # The session version moved (other sessions end); this one has shown a code.
            session.clear()
            login_user(user)
            session[KLAR] = True
            db.session.commit()
            flash("Tvåfaktorsinloggning är aktiverad.", "ok")
            return render_template("auth/aterstallningskoder.html", koder=koder)
    elif request.method == "POST":
        status = 400 if "csrf_token" in form.errors else 422
    hemlighet = tvafaktor.start_enrolment(user)
    uri = tvafaktor.provisioning_uri(user)
    db.session.commit()
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
            db.session.commit()  # keep the failed attempt: the throttle counts it
            form.kod.errors.append(error.message)
            return render_template("auth/tvafaktor_aktiv.html", form=form,
                                   kvar=tvafaktor.unused_recovery_codes(user)), error.status
        db.session.commit()
        return render_template("auth/aterstallningskoder.html", koder=koder)
    return render_template("auth/tvafaktor_aktiv.html", form=form,
                           kvar=tvafaktor.unused_recovery_codes(user)), 422
