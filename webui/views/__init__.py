"""The UI screens: every module here exposes a ``blueprint``, registered in name order."""

from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint, Flask


def screen_blueprints() -> list[Blueprint]:
    """The ``blueprint`` of every screen module in this package, sorted by module name."""
    found: list[Blueprint] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        blueprint = getattr(module, "blueprint", None)
        if isinstance(blueprint, Blueprint):
            found.append(blueprint)
    return found


def register_views(app: Flask) -> None:
    """Register every screen's blueprint on ``app``."""
    for blueprint in screen_blueprints():
        app.register_blueprint(blueprint)
