"""Single source of the SQL that folds newly stored spans into the ``traces`` summary."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    FromClause,
    Insert,
    Select,
    Table,
    and_,
    case,
    func,
    null,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert

from llmobs_store.db.expressions import milliseconds_between
from llmobs_store.db.models import Trace

TRACES: Table = Trace.__table__  # type: ignore[assignment]

# Columns of the span source the summary reads.
SOURCE_COLUMNS = (
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "service_name",
    "start_time",
    "end_time",
    "status",
    "span_type",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cost_usd",
    "session_id",
    "user_id",
)

_SUMMED = ("input_tokens", "output_tokens", "total_tokens", "cost_usd")
_COUNTED = ("num_spans", "num_errors", "num_llm_spans", "num_unpriced")


def summary_rows(spans: FromClause) -> Select[Any]:
    """Per-trace aggregates of ``spans`` (new rows only), in ``traces`` column order."""
    c = spans.c
    is_root = c.parent_span_id.is_(None)
    has_tokens = _any_not_null(c.input_tokens, c.output_tokens)
    return select(
        c.trace_id,
        func.max(case((is_root, c.span_id))).label("root_span_id"),
        func.max(case((is_root, c.name))).label("name"),
        func.coalesce(func.max(case((is_root, c.service_name))), func.max(c.service_name)).label(
            "service_name"
        ),
        func.min(c.start_time).label("start_time"),
        func.max(c.end_time).label("end_time"),
        milliseconds_between(func.min(c.start_time), func.max(c.end_time)).label("duration_ms"),
        func.count().label("num_spans"),
        _count_where(c.status == "error").label("num_errors"),
        _count_where(c.span_type == "llm").label("num_llm_spans"),
        func.sum(c.input_tokens).label("input_tokens"),
        func.sum(c.output_tokens).label("output_tokens"),
        func.sum(c.total_tokens).label("total_tokens"),
        func.sum(c.cost_usd).label("cost_usd"),
        _count_where(and_(c.span_type == "llm", c.cost_usd.is_(None), has_tokens)).label(
            "num_unpriced"
        ),
        func.max(c.session_id).label("session_id"),
        func.max(c.user_id).label("user_id"),
    ).group_by(c.trace_id)


def insert_summaries(spans: FromClause) -> Insert:
    """``INSERT`` of the summaries of ``spans``, for traces that have none yet."""
    rows = summary_rows(spans)
    return pg_insert(TRACES).from_select([col.name for col in rows.selected_columns], rows)


def upsert_summaries(spans: FromClause) -> Insert:
    """``INSERT … ON CONFLICT (trace_id) DO UPDATE`` merging ``spans`` into ``traces``.

    Counts and sums add up (a NULL sum stays NULL until some span reports a value); the time
    range widens; the root's name and service win once the root span has arrived.
    """
    rows = summary_rows(spans)
    stmt = pg_insert(TRACES).from_select([col.name for col in rows.selected_columns], rows)
    old, new = TRACES.c, stmt.excluded
    root_arrived = new.root_span_id.is_not(None)
    start = func.least(old.start_time, new.start_time)
    end = func.greatest(old.end_time, new.end_time)
    merged: dict[str, ColumnElement[Any]] = {
        "root_span_id": func.coalesce(new.root_span_id, old.root_span_id),
        "name": case((root_arrived, new.name), else_=old.name),
        "service_name": case(
            (root_arrived, new.service_name),
            else_=func.coalesce(old.service_name, new.service_name),
        ),
        "start_time": start,
        "end_time": end,
        "duration_ms": milliseconds_between(start, end),
        "session_id": func.coalesce(old.session_id, new.session_id),
        "user_id": func.coalesce(old.user_id, new.user_id),
    }
    for name in _COUNTED:
        merged[name] = old[name] + new[name]
    for name in _SUMMED:
        merged[name] = case(
            (and_(old[name].is_(None), new[name].is_(None)), null()),
            else_=func.coalesce(old[name], 0) + func.coalesce(new[name], 0),
        )
    return stmt.on_conflict_do_update(index_elements=["trace_id"], set_=merged)


def _any_not_null(*columns: ColumnElement[Any]) -> ColumnElement[bool]:
    """True when any of ``columns`` holds a value."""
    return func.coalesce(*columns).is_not(None)


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(BigInteger)
