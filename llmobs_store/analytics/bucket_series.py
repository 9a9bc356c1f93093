"""Gap-free series of time buckets per group, the ground of every rolling window."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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


def window_steps(window: timedelta, step: BucketSize) -> tuple[int, int]:
    """``step`` in seconds and how many steps ``window`` spans (a whole number of them)."""
    step_s = bucket_seconds(step)
    window_s = int(window.total_seconds())
    if window_s < step_s or window_s % step_s:
        raise ValueError(f"the window ({window_s} s) must be a multiple of the step ({step_s} s)")
    return step_s, window_s // step_s


def dense_series(
    span_filter: SpanFilter,
    group_by: Sequence[str],
    step_s: int,
    lookback: int,
    measures: dict[str, ColumnElement[Any]],
) -> Subquery:
    """Measures per group and bucket index, with a row (zeros) for every empty bucket."""
    if span_filter.since is None or span_filter.until is None:
        raise ValueError("a rolling window needs both since and until")
    first = bucket_number(span_filter.since, step_s) - lookback
    last = bucket_number(span_filter.until - timedelta(microseconds=1), step_s)
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


def group_columns(dense: Subquery, group_by: Sequence[str]) -> list[ColumnElement[Any]]:
    """The group-by columns of a series subquery, in ``group_by`` order."""
    return [dense.c[dimension_label(name)] for name in group_by]


def finish_series(
    windowed: Subquery, group_by: Sequence[str], step_s: int, span_filter: SpanFilter
) -> Select[Any]:
    """Groups and bucket starts of the buckets from ``since`` on (the look-back dropped)."""
    assert span_filter.since is not None
    groups = [windowed.c[dimension_label(name)] for name in group_by]
    return (
        select(*groups, index_start(windowed.c.idx, step_s).label("bucket_start"))
        .where(windowed.c.idx >= bucket_number(span_filter.since, step_s))
        .order_by(*groups, windowed.c.idx)
    )


def bucket_number(moment: datetime, step_s: int) -> int:
    """Whole ``step_s`` buckets since the epoch before ``moment``."""
    return int(as_utc(moment).timestamp() // step_s)


def windowed_sums(
    span_filter: SpanFilter,
    window: timedelta,
    step: BucketSize,
    group_by: Sequence[str],
    measures: dict[str, ColumnElement[Any]],
) -> tuple[Subquery, int]:
    """Each measure summed over the ``window`` ending at every step, per group; and the step.

    ``measures`` are counts or sums per bucket; the window sums them with ``SUM() OVER``
    on the gap-free series, so empty buckets count as zero.
    """
    step_s, num_steps = window_steps(window, step)
    dense = dense_series(span_filter, group_by, step_s, num_steps - 1, measures)
    groups = group_columns(dense, group_by)
    frame: dict[str, Any] = {
        "partition_by": groups,
        "order_by": dense.c.idx,
        "rows": (-(num_steps - 1), 0),
    }
    sums = (func.sum(dense.c[name]).over(**frame).label(name) for name in measures)
    return select(*groups, dense.c.idx, *sums).subquery("windowed"), step_s


def windowed_ratio(
    span_filter: SpanFilter,
    window: timedelta,
    step: BucketSize,
    group_by: Sequence[str],
    whole: tuple[str, ColumnElement[Any]],
    part: tuple[str, ColumnElement[Any]],
    ratio: str,
) -> Select[Any]:
    """Groups, bucket start, ``whole`` and ``part`` summed over the ``window`` ending at every
    step, and ``part / whole`` (NULL when ``whole`` is 0), from ``since`` to ``until``."""
    windowed, step_s = windowed_sums(span_filter, window, step, group_by, dict([whole, part]))
    total, share = windowed.c[whole[0]], windowed.c[part[0]]
    quotient = cast(share, Double) / cast(func.nullif(total, 0), Double)
    return finish_series(windowed, group_by, step_s, span_filter).add_columns(
        total, share, quotient.label(ratio)
    )


def ratio_rows(
    conn: Connection, statement: Select[Any], width: int
) -> Iterator[tuple[tuple[Any, ...], datetime, int, int, float | None]]:
    """The rows of a ``windowed_ratio`` statement with ``width`` group columns, typed."""
    for row in conn.execute(statement):
        whole, part, ratio = row[width + 1 :]
        yield tuple(row[:width]), row[width], int(whole), int(part), _float(ratio)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
