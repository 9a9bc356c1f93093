"""The Traces screens: the filtered, sorted trace list and one trace with its waterfall."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, request, url_for

from llmobs_store.analytics.conversation import split_messages
from llmobs_store.analytics.statement import render_sql
from llmobs_store.analytics.trace_filters import TraceFilters
from llmobs_store.analytics.trace_list import TraceSort, list_traces, trace_list_statement
from llmobs_store.analytics.traces import (
    StoredSpan,
    TraceDetail,
    get_trace,
    trace_spans_statement,
)
from llmobs_store.errors import InvalidCursor
from webui.app_context import current_store
from webui.params import view_filters

blueprint = Blueprint("traces", __name__)

PAGE_SIZE = 50
SORT_LABELS = {"start": "Start", "duration": "Duration", "cost": "Cost", "tokens": "Tokens"}
# The list's own query arguments (the global period and service come from view_filters()).
_TEXT_ARGS = ("model", "status", "user", "session", "tenant", "q")
_NUMBER_ARGS = {"min_duration": "Minimum duration", "min_cost": "Minimum cost"}
# Bars narrower than this would vanish; a zero-length span still shows as a tick.
_MIN_BAR_PERCENT = 0.4


@dataclass(frozen=True)
class _ListForm:
    """The trace list's form as read from the query string, with what was wrong in it."""

    args: dict[str, str]
    filters: TraceFilters
    sort: TraceSort
    descending: bool
    cursor: str | None
    problems: list[str]


@blueprint.get("/traces")
def trace_list() -> tuple[str, int]:
    """Traces of the global period and service, filtered and sorted as the form asks."""
    form = _read_list_form()
    store = current_store()
    problems = list(form.problems)
    with store.connect() as conn:
        try:
            page = list_traces(
                conn,
                form.filters,
                sort=form.sort,
                descending=form.descending,
                limit=PAGE_SIZE,
                cursor=form.cursor,
            )
            cursor = form.cursor
        except InvalidCursor as exc:
            problems.append(f"{exc}; showing the first page.")
            cursor = None
            page = list_traces(
                conn, form.filters, sort=form.sort, descending=form.descending, limit=PAGE_SIZE
            )
        statement = trace_list_statement(
            form.filters,
            sort=form.sort,
            descending=form.descending,
            limit=PAGE_SIZE,
            cursor=cursor,
        )
        sql = render_sql(statement, conn.dialect)
    template = "traces/_results.html" if is_fragment_request() else "traces/list.html"
    html = render_template(
        template,
        form=form,
        page=page,
        problems=problems,
        sql_url=url_for("sql.console", q=sql),
        list_url=_list_url,
        sort_labels=SORT_LABELS,
        statuses=("ok", "error"),
        is_first_page=cursor is None,
    )
    return html, 400 if form.problems else 200


@blueprint.get("/traces/<trace_id>")
def trace_detail(trace_id: str) -> str:
    """One trace: summary, waterfall, the selected span, logs, links and session traces."""
    with current_store().connect() as conn:
        detail = get_trace(conn, trace_id)  # NotFound becomes the 404 page
        spans_sql = render_sql(trace_spans_statement(detail.summary.trace_id), conn.dialect)
    wanted = request.args.get("span", "").strip()
    node = detail.find_span(wanted) if wanted else None
    missing = wanted if wanted and node is None else ""
    if node is None and detail.spans:
        node = detail.spans[0]
    selected = node.span if node else None
    return render_template(
        "traces/detail.html",
        trace=detail,
        summary=detail.summary,
        bars=_bars(detail),
        selected=selected,
        missing_span=missing,
        prompt=split_messages(selected.input_text) if selected else [],
        answer=split_messages(selected.output_text) if selected else [],
        exceptions=_exceptions(selected) if selected else [],
        parameters=_parameters(selected) if selected else {},
        pretty=_pretty_json,
        back_url=url_for("traces.trace_list", **_global_args()),
        sql_url=url_for("sql.console", q=spans_sql),
    )


def is_fragment_request() -> bool:
    """An htmx request for part of a page (a history restore wants the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _read_list_form() -> _ListForm:
    vf = view_filters()
    args = {name: request.args.get(name, "").strip() for name in _TEXT_ARGS}
    problems: list[str] = []
    numbers: dict[str, float | None] = {}
    for name, label in _NUMBER_ARGS.items():
        raw = request.args.get(name, "").strip()
        args[name] = raw
        try:
            numbers[name] = float(raw) if raw else None
        except ValueError:
            problems.append(f"{label}: {raw!r} is not a number.")
            numbers[name] = None
    status = args["status"] if args["status"] in ("ok", "error") else ""
    if args["status"] and not status:
        problems.append(f"Status: {args['status']!r} is neither ok nor error.")
    sort_raw = request.args.get("sort", TraceSort.START.value)
    sort = TraceSort(sort_raw) if sort_raw in SORT_LABELS else TraceSort.START
    descending = request.args.get("order", "desc") != "asc"
    args.update(sort=sort.value, order="desc" if descending else "asc")
    filters = TraceFilters(
        since=vf.since,
        until=vf.until,
        service=vf.service,
        model=args["model"] or None,
        status=status or None,
        user_id=args["user"] or None,
        session_id=args["session"] or None,
        tenant=args["tenant"] or None,
        text=args["q"] or None,
        min_duration_ms=numbers["min_duration"],
        min_cost_usd=numbers["min_cost"],
    )
    cursor = request.args.get("cursor") or None
    return _ListForm(args, filters, sort, descending, cursor, problems)


def _list_url(form: _ListForm, **changes: str | None) -> str:
    """The list URL with the form's arguments and the global filters, some changed."""
    args = _global_args()
    args.update({name: value for name, value in form.args.items() if value})
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    return url_for("traces.trace_list", **args)


def _global_args() -> dict[str, Any]:
    return dict(view_filters().query_args())


@dataclass(frozen=True)
class _Bar:
    """One waterfall row: the span, its depth, and its bar's position in percent."""

    span: StoredSpan
    depth: int
    left: float
    width: float
    orphan: bool


def _bars(detail: TraceDetail) -> list[_Bar]:
    total = detail.summary.duration_ms or max(
        (node.offset_ms + node.span.duration_ms for node in detail.spans), default=0.0
    )
    bars = []
    for node in detail.spans:
        if total > 0:
            left = min(max(node.offset_ms / total * 100, 0.0), 100.0)
            width = min(max(node.span.duration_ms / total * 100, _MIN_BAR_PERCENT), 100.0 - left)
        else:
            left, width = 0.0, 100.0
        bars.append(
            _Bar(node.span, node.depth, round(left, 3), round(max(width, 0.0), 3), node.orphan)
        )
    return bars


def _exceptions(span: StoredSpan) -> list[dict[str, str]]:
    """The exception events of ``span`` (type, message, stack trace)."""
    found = []
    for event in span.events:
        if not isinstance(event, dict) or event.get("name") != "exception":
            continue
        attributes = event.get("attributes") or {}
        found.append(
            {
                key: str(attributes.get(f"exception.{key}") or "")
                for key in ("type", "message", "stacktrace")
            }
        )
    return found


def _parameters(span: StoredSpan) -> dict[str, Any]:
    """Request parameters of an LLM span (temperature, max tokens…) from its attributes."""
    prefixes = ("gen_ai.request.", "llm.invocation_parameters", "llm.request.")
    return {
        key: value
        for key, value in sorted(span.attributes.items())
        if key.startswith(prefixes) and not key.endswith(".model")
    }


def _pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)
