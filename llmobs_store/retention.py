"""Retention: delete telemetry older than a cutoff in small transactions, or only its payloads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Insert,
    Select,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert

from llmobs_store.db.models import DailyRollup, Log, MetricPoint, RequestSample, Span, Trace
from llmobs_store.db.types import UtcDateTime
from llmobs_store.ingest.records import SpanRecord
from llmobs_store.ingest.redaction import drop_span_content
from llmobs_store.store import Store

SPANS: Table = Span.__table__  # type: ignore[assignment]
TRACES: Table = Trace.__table__  # type: ignore[assignment]
ROLLUPS: Table = DailyRollup.__table__  # type: ignore[assignment]
ROLLUP_KEYS = ("day_start", "service_name", "span_type", "provider", "model")
_SUMMED = (
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
)
_COUNTED = ("num_spans", "num_errors", "num_priced", "num_unpriced")
_PERCENTILES = {"duration_ms_p50": 0.5, "duration_ms_p95": 0.95, "duration_ms_p99": 0.99}
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
    num_days_rolled_up: int = 0


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
    keep_rollups: bool = False,
    batch_size: int = 2_000,
    now: datetime | None = None,
) -> PruneResult:
    """Remove what is older than ``older_than``: whole traces, logs, request samples, points.

    A trace goes only when all of it is older (its ``end_time``); its spans are deleted
    before its summary (DuckDB has no cascading deletes). Each batch is one transaction, so a
    large prune never holds the database for long and an interrupted one can simply be rerun.
    With ``payloads_only`` nothing is deleted: older spans lose their captured prompt and
    answer (text columns and content attributes) but keep every number.

    With ``keep_rollups`` spans are first folded into ``daily_rollups``, one UTC day (of the
    trace's start) per transaction, in the same transaction that deletes them: a rerun never
    counts a span twice. The span cutoff then moves back to the UTC midnight before it, so a
    day is folded whole; only traces crossing that midnight are folded into their day later.
    """
    started = now or datetime.now(UTC)
    cutoff = started - older_than
    if payloads_only:
        if keep_rollups:
            raise ValueError("keep_rollups deletes spans; payloads_only keeps them: pick one")
        return PruneResult(num_payloads_cleared=_clear_payloads(store, cutoff, batch_size))
    num_days = 0
    if keep_rollups:
        midnight = datetime.combine(cutoff.astimezone(UTC).date(), time(), UTC)
        num_days, num_traces, num_spans = _fold_and_prune_days(store, midnight, started)
    else:
        num_traces, num_spans = _prune_traces(store, cutoff, batch_size)
    return PruneResult(
        num_traces=num_traces,
        num_spans=num_spans,
        num_days_rolled_up=num_days,
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


def _fold_and_prune_days(store: Store, cutoff: datetime, now: datetime) -> tuple[int, int, int]:
    """Fold and delete the traces ending before ``cutoff``, oldest start day first."""
    num_days = num_traces = num_spans = 0
    t = TRACES.c
    while True:
        with store.engine.begin() as conn:
            first = conn.execute(select(func.min(t.start_time)).where(t.end_time < cutoff)).scalar()
            if first is None:
                return num_days, num_traces, num_spans
            day = first.astimezone(UTC).date()
            traces, spans = _fold_day(conn, day, cutoff, now)
            num_days, num_traces, num_spans = num_days + 1, num_traces + traces, num_spans + spans


def _fold_day(conn: Connection, day: date, cutoff: datetime, now: datetime) -> tuple[int, int]:
    """Merge the spans of ``day``'s traces ending before ``cutoff`` into rollups; delete them."""
    t, c = TRACES.c, SPANS.c
    day_start = datetime.combine(day, time(), UTC)
    in_day = and_(
        t.start_time >= day_start, t.start_time < day_start + timedelta(days=1), t.end_time < cutoff
    )
    pruned = select(t.trace_id).where(in_day)
    conn.execute(_merge_rollups(rollup_rows(pruned, day_start, now)))
    num_spans = conn.execute(
        select(func.count()).select_from(SPANS).where(c.trace_id.in_(pruned))
    ).scalar_one()
    conn.execute(delete(SPANS).where(c.trace_id.in_(pruned)))
    num_traces = conn.execute(delete(TRACES).where(in_day)).rowcount
    return int(num_traces), int(num_spans)


def rollup_rows(trace_ids: Select[Any], day_start: datetime, now: datetime) -> Select[Any]:
    """One ``daily_rollups`` row per group of the spans of ``trace_ids`` (a select of ids)."""
    c = SPANS.c
    # Keys are computed in a subquery and grouped by name outside it: PostgreSQL does not see
    # that two bound ``coalesce(x, $n)`` expressions are the same and would refuse the group by.
    spans = (
        select(
            *(func.coalesce(c[k], "").label(k) for k in ("service_name", "provider", "model")),
            c.span_type,
            c.status,
            c.duration_ms,
            c.cost_usd,
            *(c[name] for name in _SUMMED),
        )
        .where(c.trace_id.in_(trace_ids))
        .subquery("pruned_spans")
    )
    s = spans.c
    has_tokens = or_(s.input_tokens.is_not(None), s.output_tokens.is_not(None))
    unpriced = and_(s.span_type == "llm", s.cost_usd.is_(None), has_tokens)
    measures: dict[str, ColumnElement[Any]] = {
        "num_spans": func.count(),
        "num_errors": func.count().filter(s.status == "error"),
        **{name: cast(func.sum(s[name]), BigInteger) for name in _SUMMED},
        "cost_usd": func.sum(s.cost_usd),
        "num_priced": func.count(s.cost_usd),
        "num_unpriced": func.count().filter(unpriced),
        "duration_ms_sum": func.sum(s.duration_ms),
        "duration_ms_max": func.max(s.duration_ms),
        **{
            name: func.percentile_cont(q).within_group(s.duration_ms)
            for name, q in _PERCENTILES.items()
        },
        "num_parts": literal(1, BigInteger),
        "rolled_up_at": literal(now, UtcDateTime),
    }
    keys = [s.service_name, s.span_type, s.provider, s.model]
    return select(
        literal(day_start, UtcDateTime).label("day_start"),
        *keys,
        *(value.label(name) for name, value in measures.items()),
    ).group_by(*keys)


def _merge_rollups(rows: Select[Any]) -> Insert:
    """Insert ``rows`` into ``daily_rollups``, adding counts and sums to an existing row."""
    stmt = pg_insert(ROLLUPS).from_select([col.name for col in rows.selected_columns], rows)
    old, new = ROLLUPS.c, stmt.excluded
    merged: dict[str, ColumnElement[Any]] = {
        name: old[name] + new[name] for name in (*_COUNTED, "duration_ms_sum", "num_parts")
    }
    for name in (*_SUMMED, "cost_usd"):
        merged[name] = case(
            (and_(old[name].is_(None), new[name].is_(None)), null()),
            else_=func.coalesce(old[name], 0) + func.coalesce(new[name], 0),
        )
    merged["duration_ms_max"] = func.greatest(old.duration_ms_max, new.duration_ms_max)
    # Percentiles cannot be merged from two parts: keep those of the larger one.
    new_is_larger = new.num_spans > old.num_spans
    for name in _PERCENTILES:
        merged[name] = case((new_is_larger, new[name]), else_=old[name])
    merged["rolled_up_at"] = new.rolled_up_at
    return stmt.on_conflict_do_update(index_elements=list(ROLLUP_KEYS), set_=merged)


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
