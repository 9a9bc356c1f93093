"""The Logs screen: log entries filtered by level, service, model, text and trace."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for

from llmobs_store.analytics.logs import LEVELS, LogFilters, list_logs, log_list_statement
from llmobs_store.analytics.statement import render_sql
from llmobs_store.errors import InvalidCursor
from webui.app_context import current_store
from webui.params import view_filters
from webui.views.traces import is_fragment_request

blueprint = Blueprint("logs", __name__)

PAGE_SIZE = 100
_TEXT_ARGS = ("level", "model", "q", "trace_id", "span_id")


@blueprint.get("/logs")
def log_list() -> tuple[str, int]:
    """Entries of the global period and service, newest first, filtered as the form asks."""
    vf = view_filters()
    args = {name: request.args.get(name, "").strip() for name in _TEXT_ARGS}
    problems: list[str] = []
    if args["level"] and args["level"] not in LEVELS:
        problems.append(f"Level: {args['level']!r} is not one of {', '.join(LEVELS)}.")
        args["level"] = ""
    # A trace id filter shows that trace's entries whatever the period.
    by_trace = bool(args["trace_id"])
    filters = LogFilters(
        since=None if by_trace else vf.since,
        until=None if by_trace else vf.until,
        service=vf.service,
        min_level=args["level"] or None,
        model=args["model"] or None,
        text=args["q"] or None,
        trace_id=args["trace_id"] or None,
        span_id=args["span_id"] or None,
    )
    cursor = request.args.get("cursor") or None
    with current_store().connect() as conn:
        try:
            page = list_logs(conn, filters, limit=PAGE_SIZE, cursor=cursor)
        except InvalidCursor as exc:
            problems.append(f"{exc}; showing the first page.")
            cursor = None
            page = list_logs(conn, filters, limit=PAGE_SIZE)
        sql = render_sql(log_list_statement(filters, limit=PAGE_SIZE, cursor=cursor), conn.dialect)

    def page_url(**changes: str | None) -> str:
        kept: dict[str, Any] = dict(vf.query_args())
        kept.update({name: value for name, value in args.items() if value})
        kept.update({name: value for name, value in changes.items() if value is not None})
        return url_for("logs.log_list", **kept)

    template = "logs/_results.html" if is_fragment_request() else "logs/list.html"
    html = render_template(
        template,
        args=args,
        levels=LEVELS,
        page=page,
        problems=problems,
        by_trace=by_trace,
        is_first_page=cursor is None,
        page_url=page_url,
        sql_url=url_for("sql.console", q=sql),
    )
    return html, 200
