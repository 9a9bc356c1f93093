"""Read back the stored spans of one trace, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from llmobs_store.db.spans import Span


@dataclass(frozen=True, slots=True)
class StoredSpan:
    """One row of ``spans`` as the trace view needs it."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    kind: str
    status: str
    status_message: str | None
    start_time: datetime
    end_time: datetime
    duration_ms: float
    service_name: str | None
    model: str | None
    input_tokens: int | None
    output_tokens: int | None
    total_tokens: int | None
    cost_usd: float | None
    attributes: dict[str, Any]
    events: list[dict[str, Any]]


def list_trace_spans(conn: Connection, trace_id: str) -> list[StoredSpan]:
    """Every stored span of ``trace_id`` ordered by start time (empty when none is stored)."""
    stmt = (
        select(
            Span.trace_id,
            Span.span_id,
            Span.parent_span_id,
            Span.name,
            Span.kind,
            Span.status,
            Span.status_message,
            Span.start_time,
            Span.end_time,
            Span.duration_ms,
            Span.service_name,
            Span.model,
            Span.input_tokens,
            Span.output_tokens,
            Span.total_tokens,
            Span.cost_usd,
            Span.attributes,
            Span.events,
        )
        .where(Span.trace_id == trace_id)
        .order_by(Span.start_time, Span.span_id)
    )
    return [
        StoredSpan(
            trace_id=row.trace_id,
            span_id=row.span_id,
            parent_span_id=row.parent_span_id,
            name=row.name,
            kind=row.kind,
            status=row.status,
            status_message=row.status_message,
            start_time=row.start_time,
            end_time=row.end_time,
            duration_ms=float(row.duration_ms),
            service_name=row.service_name,
            model=row.model,
            input_tokens=row.input_tokens,
            output_tokens=row.output_tokens,
            total_tokens=row.total_tokens,
            cost_usd=row.cost_usd,
            attributes=dict(row.attributes or {}),
            events=list(row.events or []),
        )
        for row in conn.execute(stmt)
    ]
