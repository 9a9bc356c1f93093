"""Browser-facing protections: security headers, CSRF tokens and the optional UI password."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response as BaseResponse

from llmobs_store.config import Settings

# No inline script anywhere; style attributes stay allowed (bars and meters are sized with
# them) but <style> elements do not. htmx is told not to insert its own <style> (base.html).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-elem 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# Machine endpoints authenticate with API keys, not a browser session: no CSRF, no login.
MACHINE_PREFIXES = ("/v1/", "/api/", "/metrics", "/health")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SECRET_KEY_ENV = "LLMOBS_UI_SECRET_KEY"
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CSRF_SESSION_KEY = "csrf_token"
_LOGIN_SESSION_KEY = "ui_login"

login = Blueprint("login", __name__)


def is_machine_path(path: str) -> bool:
    """True for the API-key endpoints that browsers' cookies must not matter to."""
    return path.startswith(MACHINE_PREFIXES)


def csrf_token() -> str:
    """This browser session's CSRF token, created on first use (a Jinja global)."""
    token: str | None = session.get(_CSRF_SESSION_KEY)
    if token is None:
        token = secrets.token_urlsafe(32)
        session[_CSRF_SESSION_KEY] = token
    return token


def csrf_is_valid(presented: str | None) -> bool:
    """Whether ``presented`` is this session's token (compared in constant time)."""
    expected: str | None = session.get(_CSRF_SESSION_KEY)
    if not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())


def password_matches(password: str | None, presented: str) -> bool:
    """Whether ``presented`` is ``password`` (constant time; False when none is set)."""
    if not password:
        return False
    return hmac.compare_digest(password.encode(), presented.encode())


def install_security(app: Flask, settings: Settings) -> None:
    """Give ``app`` a session key, the headers, CSRF checks and, with a password, the login."""
    app.secret_key = os.environ.get(SECRET_KEY_ENV) or secrets.token_hex(32)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.config["LLMOBS_UI_LOGIN"] = bool(settings.ui_password)
    app.extensions["llmobs_ui_password"] = settings.ui_password
    app.register_blueprint(login)
    # A changed password ends every login made with the old one.
    marker = _login_marker(app.secret_key, settings.ui_password)

    @app.before_request
    def guard() -> BaseResponse | None:
        if is_machine_path(request.path):
            return None
        if request.method in _UNSAFE_METHODS:
            presented = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
            if not csrf_is_valid(presented):
                raise BadRequest(
                    "This form has expired or came from another site: reload the page and "
                    "submit it again."
                )
        if marker is None or request.endpoint in {"login.sign_in", "static"}:
            return None
        if not hmac.compare_digest(session.get(_LOGIN_SESSION_KEY, ""), marker):
            return redirect(url_for("login.sign_in", next=request.full_path.rstrip("?")))
        return None

    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


@login.route("/login", methods=["GET", "POST"])
def sign_in() -> BaseResponse | str:
    """The password form; on success back to the page asked for."""
    password: str | None = current_app.extensions["llmobs_ui_password"]
    target = _safe_target(request.values.get("next"))
    error = None
    if request.method == "POST":
        if password_matches(password, request.form.get("password", "")):
            session.clear()
            session[_LOGIN_SESSION_KEY] = _login_marker(str(current_app.secret_key), password)
            return redirect(target)
        error = "Wrong password."
    elif not password:
        return redirect(target)
    return render_template("login.html", next=target, error=error)


@login.post("/logout")
def sign_out() -> BaseResponse:
    """Forget this browser's login."""
    session.clear()
    return redirect(url_for("login.sign_in"))


def _login_marker(secret_key: str, password: str | None) -> str | None:
    if not password:
        return None
    return hmac.new(secret_key.encode(), password.encode(), hashlib.sha256).hexdigest()


def _safe_target(target: str | None) -> str:
    # Only paths on this site: "//evil.example" and "https://..." would send the user away.
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"
