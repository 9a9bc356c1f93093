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
    func,
    select,
)

from llmobs_store.analytics.bucket_series import (
    dense_series,
    finish_series,
    group_columns,
    ratio_rows,
    windowed_ratio,
)
from llmobs_store.analytics.buckets import BucketSize, bucket_seconds
from llmobs_store.analytics.filters import SpanFilter
from llmobs_store.db.spans import Span


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
    measures = _error_measures()
    return windowed_ratio(
        span_filter,
        window,
        step,
        group_by,
        ("num_requests", measures["num_requests"]),
        ("num_errors", measures["num_errors"]),
        "error_rate",
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
    return [ErrorRatePoint(*row) for row in ratio_rows(conn, stmt, len(group_by))]


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
    dense = dense_series(
        span_filter, group_by, step_s, trailing, {"cost_usd": func.sum(Span.cost_usd)}
    )
    groups = group_columns(dense, group_by)
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
    return finish_series(windowed, group_by, step_s, span_filter).add_columns(
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


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
