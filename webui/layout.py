"""What every page's layout needs: the navigation and the global filters in templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, has_request_context, request

from webui.formatting import install_formatting
from webui.params import RANGE_LABELS, view_filters

# Arguments a page keeps when the global filters change; paging cursors go, as they belong
# to the old period.
_FILTER_ARGS = frozenset({"range", "since", "until", "service"})
_PAGING_ARGS = frozenset({"after", "before", "cursor", "page", "offset"})


@dataclass(frozen=True)
class NavItem:
    """One entry of the main navigation."""

    label: str
    path: str

    def is_current(self, path: str) -> bool:
        """Whether ``path`` belongs to this section."""
        if self.path == "/":
            return path == "/"
        return (
            path == self.path
            or path.startswith(self.path + "/")
            or path.startswith(self.path + ".")
        )


NAVIGATION = (
    NavItem("Dashboard", "/"),
    NavItem("Traces", "/traces"),
    NavItem("Logs", "/logs"),
    NavItem("Alerts", "/alerts"),
    NavItem("Costs", "/costs"),
    NavItem("SQL", "/sql"),
)


def kept_args() -> list[tuple[str, str]]:
    """The current page's own query arguments, carried as hidden fields by the filter form."""
    return [
        (name, value)
        for name, values in request.args.lists()
        if name not in _FILTER_ARGS and name not in _PAGING_ARGS
        for value in values
    ]


def local_input(moment: datetime) -> str:
    """``moment`` as a ``datetime-local`` input value (UTC, to the minute)."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def install_layout(app: Flask) -> None:
    """Make ``view_filters``, the navigation, helpers and filters available to templates."""
    install_formatting(app)
    app.jinja_env.globals.update(
        navigation=NAVIGATION, range_labels=RANGE_LABELS, local_input=local_input
    )

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        if not has_request_context():
            return {}
        return {"view_filters": view_filters(), "kept_args": kept_args}
