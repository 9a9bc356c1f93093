"""A stand-in home page at ``/``, used only while no dashboard screen is installed."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template

home = Blueprint("home", __name__)


@home.get("/")
def index() -> str:
    """Links to the screens."""
    return render_template("home.html")


def register_placeholder_home(app: Flask) -> None:
    """Serve ``/`` from here unless a screen already does."""
    if not any(rule.rule == "/" for rule in app.url_map.iter_rules()):
        app.register_blueprint(home)
