"""Retention: delete telemetry older than a cutoff in small transactions, or only its payloads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, func, or_, select, update

from llmobs_store.db.models import Log, MetricPoint, RequestSample, Span, Trace
from llmobs_store.ingest.records import SpanRecord
from llmobs_store.ingest.redaction import drop_span_content
from llmobs_store.store import Store

SPANS: Table = Span.__table__  # type: ignore[assignment]
TRACES: Table = Trace.__table__  # type: ignore[assignment]
_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNIT_S = {"m": 60, "h": 3_600, "d": 86_400, "w": 604_800}


@dataclass(frozen=True)
class PruneResult:
    """How many rows a prune removed (or, with payloads only, how many spans it emptied)."""

    num_traces: int = 0
    num_spans: int = 0
    num_logs: int = 0
    num_request_samples: int = 0
    num_metric_points: int = 0
    num_payloads_cleared: int = 0


def parse_age(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m`` or ``2w`` as a timedelta; ``ValueError`` otherwise."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not an age such as 30d, 12h, 90m or 2w")
    return timedelta(seconds=int(match[1]) * _UNIT_S[match[2]])


def prune(
    store: Store,
    *,
    older_than: timedelta,
    payloads_only: bool = False,
    batch_size: int = 2_000,
    now: datetime | None = None,
) -> PruneResult:
    """Remove what is older than ``older_than``: whole traces, logs, request samples, points.

    A trace goes only when all of it is older (its ``end_time``); its spans are deleted
    before its summary (DuckDB has no cascading deletes). Each batch is one transaction, so a
    large prune never holds the database for long and an interrupted one can simply be rerun.
    With ``payloads_only`` nothing is deleted: older spans lose their captured prompt and
    answer (text columns and content attributes) but keep every number.
    """
    cutoff = (now or datetime.now(UTC)) - older_than
    if payloads_only:
        return PruneResult(num_payloads_cleared=_clear_payloads(store, cutoff, batch_size))
    num_traces, num_spans = _prune_traces(store, cutoff, batch_size)
    return PruneResult(
        num_traces=num_traces,
        num_spans=num_spans,
        num_logs=_delete_by_id(store, Log.__table__, Log.time < cutoff, batch_size),
        num_request_samples=_delete_by_id(
            store, RequestSample.__table__, RequestSample.time < cutoff, batch_size
        ),
        num_metric_points=_delete_by_id(
            store, MetricPoint.__table__, MetricPoint.time < cutoff, batch_size
        ),
    )


def _prune_traces(store: Store, cutoff: datetime, batch_size: int) -> tuple[int, int]:
    num_traces = num_spans = 0
    while True:
        with store.engine.begin() as conn:
            trace_ids = list(
                conn.execute(
                    select(TRACES.c.trace_id).where(TRACES.c.end_time < cutoff).limit(batch_size)
                ).scalars()
            )
            if not trace_ids:
                return num_traces, num_spans
            in_batch = SPANS.c.trace_id.in_(trace_ids)
            num_spans += conn.execute(select(func.count()).where(in_batch)).scalar_one()
            conn.execute(delete(SPANS).where(in_batch))
            conn.execute(delete(TRACES).where(TRACES.c.trace_id.in_(trace_ids)))
            num_traces += len(trace_ids)


def _delete_by_id(store: Store, table: Any, condition: ColumnElement[bool], batch_size: int) -> int:
    deleted = 0
    while True:
        with store.engine.begin() as conn:
            ids = list(
                conn.execute(select(table.c.id).where(condition).limit(batch_size)).scalars()
            )
            if not ids:
                return deleted
            conn.execute(delete(table).where(table.c.id.in_(ids)))
            deleted += len(ids)


def _clear_payloads(store: Store, cutoff: datetime, batch_size: int) -> int:
    c = SPANS.c
    has_payload = or_(c.input_text.is_not(None), c.output_text.is_not(None))
    cleared = 0
    while True:
        with store.engine.begin() as conn:
            rows = conn.execute(
                select(c.trace_id, c.span_id, c.attributes, c.events)
                .where(c.start_time < cutoff, has_payload)
                .limit(batch_size)
            ).all()
            if not rows:
                return cleared
            for row in rows:
                emptied = drop_span_content(
                    SpanRecord(
                        trace_id=row.trace_id,
                        span_id=row.span_id,
                        name="",
                        start_time=cutoff,
                        end_time=cutoff,
                        input_text="",  # marks the span as having held content
                        attributes=dict(row.attributes or {}),
                        events=row.events,
                    )
                )
                conn.execute(
                    update(SPANS)
                    .where(c.trace_id == row.trace_id, c.span_id == row.span_id)
                    .values(
                        input_text=None,
                        output_text=None,
                        attributes=emptied.attributes,
                        events=emptied.events,
                    )
                )
            cleared += len(rows)
