"""The global filters every screen reads from the query string: time range and service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import g, request

RANGES: dict[str, timedelta] = {
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}
RANGE_LABELS: dict[str, str] = {
    "1h": "Last hour",
    "24h": "Last 24 hours",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "custom": "Custom",
}
DEFAULT_RANGE = "24h"


@dataclass(frozen=True)
class ViewFilters:
    """The period ``[since, until)`` and the service a page shows.

    >>> filters = view_filters()                                    # doctest: +SKIP
    >>> url_for("traces.trace_list", **filters.query_args(), model="gpt-4o")  # doctest: +SKIP
    """

    since: datetime
    until: datetime
    range_key: str
    service: str | None

    def query_args(self) -> dict[str, str]:
        """The filters as query-string arguments, to keep them in links."""
        args: dict[str, str] = {"range": self.range_key}
        if self.range_key == "custom":
            args["since"] = self.since.isoformat()
            args["until"] = self.until.isoformat()
        if self.service:
            args["service"] = self.service
        return args

    @property
    def label(self) -> str:
        """How the period reads in a page heading."""
        if self.range_key == "custom":
            return f"{_short(self.since)} – {_short(self.until)}"
        return RANGE_LABELS[self.range_key]


def parse_moment(raw: str | None) -> datetime | None:
    """An ISO 8601 time (``2026-02-01``, ``2026-02-01T09:30``, with or without zone) in UTC.

    A time without a zone is UTC; anything unreadable is None.
    """
    if not raw or not raw.strip():
        return None
    text = raw.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def filters_from_args(args: dict[str, str], *, now: datetime | None = None) -> ViewFilters:
    """The filters of a query string; unknown or broken values fall back to the last 24 h."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    range_key = args.get("range", DEFAULT_RANGE)
    service = (args.get("service") or "").strip() or None
    if range_key == "custom":
        since, until = parse_moment(args.get("since")), parse_moment(args.get("until"))
        if since is not None or until is not None:
            until = until or now
            since = since or until - RANGES[DEFAULT_RANGE]
            if since < until:
                return ViewFilters(since, until, "custom", service)
        range_key = DEFAULT_RANGE
    if range_key not in RANGES:
        range_key = DEFAULT_RANGE
    return ViewFilters(now - RANGES[range_key], now, range_key, service)


def view_filters() -> ViewFilters:
    """The filters of the current request (computed once per request)."""
    cached: ViewFilters | None = g.get("llmobs_view_filters")
    if cached is None:
        cached = filters_from_args(request.args.to_dict())
        g.llmobs_view_filters = cached
    return cached


def _short(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
