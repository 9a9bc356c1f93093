"""The most expensive or slowest traces of a time range, from the ``traces`` summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, Select, select

from llmobs_store.db.spans import Trace
from llmobs_store.db.types import as_utc

RankBy = Literal["cost", "duration"]


@dataclass(frozen=True, slots=True)
class TopTrace:
    """One trace of a top-N list, with the figures it is ranked by."""

    trace_id: str
    name: str | None
    service_name: str | None
    start_time: datetime
    duration_ms: float
    num_spans: int
    num_errors: int
    total_tokens: int | None
    cost_usd: float | None
    num_unpriced: int
    user_id: str | None
    session_id: str | None


def top_traces_statement(
    *,
    by: RankBy = "cost",
    limit: int = 10,
    since: datetime | None = None,
    until: datetime | None = None,
    service: str | None = None,
) -> Select[Any]:
    """The statement behind ``top_traces`` (for "show SQL")."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    clauses: list[ColumnElement[bool]] = []
    if since is not None:
        clauses.append(Trace.start_time >= as_utc(since))
    if until is not None:
        clauses.append(Trace.start_time < as_utc(until))
    if service is not None:
        clauses.append(Trace.service_name == service)
    if by == "cost":
        # Unpriced traces have no place in a cost ranking; they show in price coverage.
        clauses.append(Trace.cost_usd.is_not(None))
        order = [Trace.cost_usd.desc(), Trace.trace_id]
    elif by == "duration":
        order = [Trace.duration_ms.desc(), Trace.trace_id]
    else:
        raise ValueError(f"rank by cost or duration, not {by!r}")
    return (
        select(
            Trace.trace_id,
            Trace.name,
            Trace.service_name,
            Trace.start_time,
            Trace.duration_ms,
            Trace.num_spans,
            Trace.num_errors,
            Trace.total_tokens,
            Trace.cost_usd,
            Trace.num_unpriced,
            Trace.user_id,
            Trace.session_id,
        )
        .where(*clauses)
        .order_by(*order)
        .limit(limit)
    )


def top_traces(
    conn: Connection,
    *,
    by: RankBy = "cost",
    limit: int = 10,
    since: datetime | None = None,
    until: datetime | None = None,
    service: str | None = None,
) -> list[TopTrace]:
    """The ``limit`` traces that cost the most (``by="cost"``) or took longest (``"duration"``).

    Reads the per-trace summary table, so it stays a top-N scan at 10M spans.
    """
    stmt = top_traces_statement(by=by, limit=limit, since=since, until=until, service=service)
    return [
        TopTrace(
            trace_id=row.trace_id,
            name=row.name,
            service_name=row.service_name,
            start_time=row.start_time,
            duration_ms=float(row.duration_ms),
            num_spans=int(row.num_spans),
            num_errors=int(row.num_errors),
            total_tokens=None if row.total_tokens is None else int(row.total_tokens),
            cost_usd=None if row.cost_usd is None else float(row.cost_usd),
            num_unpriced=int(row.num_unpriced),
            user_id=row.user_id,
            session_id=row.session_id,
        )
        for row in conn.execute(stmt)
    ]
