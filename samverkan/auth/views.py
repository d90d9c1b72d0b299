"""Login, logout and the user's own API tokens."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from samverkan.auth import policy, services
from samverkan.auth.forms import EmptyForm, LoginForm, TokenForm
from samverkan.core.db import db
from samverkan.core.errors import DomainError

bp = Blueprint("auth", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


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
            login_user(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")), code=303)
    elif request.method == "POST":
        status = 400 if "csrf_token" in form.errors else 422
    return render_template("auth/login.html", form=form), status


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
