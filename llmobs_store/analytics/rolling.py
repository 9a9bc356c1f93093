"""Rolling windows over a gap-free bucket series: error rate, and cost against its trailing mean."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Double,
    Select,
    Subquery,
    and_,
    cast,
    func,
    literal_column,
    select,
    true,
)

from llmobs_store.analytics.buckets import BucketSize, bucket_index, bucket_seconds, index_start
from llmobs_store.analytics.dimensions import dimension_column, dimension_label
from llmobs_store.analytics.filters import SpanFilter
from llmobs_store.db.spans import Span
from llmobs_store.db.types import as_utc


@dataclass(frozen=True, slots=True)
class ErrorRatePoint:
    """Requests and errors in the window ending with the bucket that starts at ``bucket_start``."""

    group: tuple[Any, ...]
    bucket_start: datetime
    num_requests: int
    num_errors: int
    error_rate: float | None


@dataclass(frozen=True, slots=True)
class CostPoint:
    """Cost of one bucket against the mean and standard deviation of the buckets before it.

    ``z_score`` is ``(cost - mean) / stddev``; ``None`` until two earlier buckets exist or
    when they all cost the same.
    """

    group: tuple[Any, ...]
    bucket_start: datetime
    cost_usd: float
    trailing_mean: float | None
    trailing_stddev: float | None
    z_score: float | None


def rolling_error_rate_statement(
    span_filter: SpanFilter,
    *,
    window: timedelta = timedelta(minutes=5),
    step: BucketSize = "minute",
    group_by: Sequence[str] = (),
) -> Select[Any]:
    """The statement behind ``rolling_error_rate`` (for "show SQL")."""
    step_s, num_steps = _steps(window, step)
    dense = _dense(span_filter, group_by, step_s, num_steps - 1, _error_measures())
    groups = _group_columns(dense, group_by)
    frame: dict[str, Any] = {
        "partition_by": groups,
        "order_by": dense.c.idx,
        "rows": (-(num_steps - 1), 0),
    }
    requests = func.sum(dense.c.num_requests).over(**frame)
    errors = func.sum(dense.c.num_errors).over(**frame)
    windowed = select(
        *groups,
        dense.c.idx,
        requests.label("num_requests"),
        errors.label("num_errors"),
    ).subquery("windowed")
    return _finish(windowed, group_by, step_s, span_filter).add_columns(
        windowed.c.num_requests,
        windowed.c.num_errors,
        (
            cast(windowed.c.num_errors, Double)
            / cast(func.nullif(windowed.c.num_requests, 0), Double)
        ).label("error_rate"),
    )


def rolling_error_rate(
    conn: Connection,
    span_filter: SpanFilter,
    *,
    window: timedelta = timedelta(minutes=5),
    step: BucketSize = "minute",
    group_by: Sequence[str] = (),
) -> list[ErrorRatePoint]:
    """Error rate over the last ``window`` at every ``step`` of the filter's time range.

    Needs ``since`` and ``until``; buckets without requests are present (0 requests, rate
    ``None``). The first windows reach back before ``since`` so that every point is full.
    """
    stmt = rolling_error_rate_statement(span_filter, window=window, step=step, group_by=group_by)
    width = len(group_by)
    return [
        ErrorRatePoint(
            group=tuple(row[:width]),
            bucket_start=row[width],
            num_requests=int(row[width + 1]),
            num_errors=int(row[width + 2]),
            error_rate=None if row[width + 3] is None else float(row[width + 3]),
        )
        for row in conn.execute(stmt)
    ]


def cost_spikes_statement(
    span_filter: SpanFilter,
    *,
    trailing: int = 24,
    step: BucketSize = "hour",
    group_by: Sequence[str] = (),
) -> Select[Any]:
    """The statement behind ``cost_spikes`` (for "show SQL")."""
    if trailing < 2:
        raise ValueError("a trailing window needs at least 2 buckets for a deviation")
    step_s = bucket_seconds(step)
    dense = _dense(span_filter, group_by, step_s, trailing, {"cost_usd": func.sum(Span.cost_usd)})
    groups = _group_columns(dense, group_by)
    frame: dict[str, Any] = {
        "partition_by": groups,
        "order_by": dense.c.idx,
        "rows": (-trailing, -1),
    }
    windowed = select(
        *groups,
        dense.c.idx,
        dense.c.cost_usd,
        func.avg(dense.c.cost_usd).over(**frame).label("trailing_mean"),
        func.stddev_samp(dense.c.cost_usd).over(**frame).label("trailing_stddev"),
    ).subquery("windowed")
    # Typed, or PostgreSQL would be handed a NUMERIC division.
    deviation = func.nullif(windowed.c.trailing_stddev, 0.0, type_=Double)
    return _finish(windowed, group_by, step_s, span_filter).add_columns(
        windowed.c.cost_usd,
        windowed.c.trailing_mean,
        windowed.c.trailing_stddev,
        ((windowed.c.cost_usd - windowed.c.trailing_mean) / deviation).label("z_score"),
    )


def cost_spikes(
    conn: Connection,
    span_filter: SpanFilter,
    *,
    trailing: int = 24,
    step: BucketSize = "hour",
    group_by: Sequence[str] = (),
) -> list[CostPoint]:
    """Cost per ``step`` (default hour) against the ``trailing`` buckets before it.

    A bucket is a spike when its ``z_score`` passes a threshold of the caller's choice (3 is
    usual). Needs ``since`` and ``until``; buckets without spans cost 0.
    """
    stmt = cost_spikes_statement(span_filter, trailing=trailing, step=step, group_by=group_by)
    width = len(group_by)
    return [
        CostPoint(
            group=tuple(row[:width]),
            bucket_start=row[width],
            cost_usd=float(row[width + 1]),
            trailing_mean=_float(row[width + 2]),
            trailing_stddev=_float(row[width + 3]),
            z_score=_float(row[width + 4]),
        )
        for row in conn.execute(stmt)
    ]


def _error_measures() -> dict[str, ColumnElement[Any]]:
    return {
        "num_requests": func.count(),
        "num_errors": func.count().filter(Span.status == "error"),
    }


def _steps(window: timedelta, step: BucketSize) -> tuple[int, int]:
    step_s = bucket_seconds(step)
    window_s = int(window.total_seconds())
    if window_s < step_s or window_s % step_s:
        raise ValueError(f"the window ({window_s} s) must be a multiple of the step ({step_s} s)")
    return step_s, window_s // step_s


def _dense(
    span_filter: SpanFilter,
    group_by: Sequence[str],
    step_s: int,
    lookback: int,
    measures: dict[str, ColumnElement[Any]],
) -> Subquery:
    """Measures per group and bucket index, with a row (zeros) for every empty bucket."""
    if span_filter.since is None or span_filter.until is None:
        raise ValueError("a rolling window needs both since and until")
    first = _index(span_filter.since, step_s) - lookback
    last = _index(span_filter.until - timedelta(microseconds=1), step_s)
    scanned = span_filter.with_range(
        datetime.fromtimestamp(first * step_s, as_utc(span_filter.since).tzinfo),
        span_filter.until,
    )
    dims = [dimension_column(name) for name in group_by]
    positions: list[ColumnElement[Any]] = [literal_column(str(i + 1)) for i in range(len(dims) + 1)]
    counts = (
        select(
            *dims,
            bucket_index(Span.start_time, step_s).label("idx"),
            *(expr.label(name) for name, expr in measures.items()),
        )
        .where(*scanned.clauses())
        .group_by(*positions)
        .cte("counts")
    )
    series = func.generate_series(first, last).table_valued("idx").render_derived("series")
    source: Any = series
    group_match: list[ColumnElement[bool]] = []
    group_cols: list[ColumnElement[Any]] = []
    if dims:
        groups = select(*(counts.c[dimension_label(n)] for n in group_by)).distinct()
        groups_sq = groups.subquery("groups")
        source = series.join(groups_sq, true())
        group_cols = [groups_sq.c[dimension_label(n)] for n in group_by]
        group_match = [
            counts.c[dimension_label(n)].is_not_distinct_from(groups_sq.c[dimension_label(n)])
            for n in group_by
        ]
    joined = source.outerjoin(counts, and_(counts.c.idx == series.c.idx, *group_match))
    return (
        select(
            *group_cols,
            series.c.idx,
            *(func.coalesce(counts.c[name], 0).label(name) for name in measures),
        )
        .select_from(joined)
        .subquery("dense")
    )


def _group_columns(dense: Subquery, group_by: Sequence[str]) -> list[ColumnElement[Any]]:
    return [dense.c[dimension_label(name)] for name in group_by]


def _finish(
    windowed: Subquery, group_by: Sequence[str], step_s: int, span_filter: SpanFilter
) -> Select[Any]:
    assert span_filter.since is not None
    groups = [windowed.c[dimension_label(name)] for name in group_by]
    return (
        select(*groups, index_start(windowed.c.idx, step_s).label("bucket_start"))
        .where(windowed.c.idx >= _index(span_filter.since, step_s))
        .order_by(*groups, windowed.c.idx)
    )


def _index(moment: datetime, step_s: int) -> int:
    return int(as_utc(moment).timestamp() // step_s)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
