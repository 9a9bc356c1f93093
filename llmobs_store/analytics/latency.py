"""Exact latency and time-to-first-token percentiles per any dimensions and time bucket."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Select, SQLColumnExpression, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType

from llmobs_store.analytics.buckets import BucketSize
from llmobs_store.analytics.filters import SpanFilter
from llmobs_store.analytics.grouping import Grouping
from llmobs_store.db.spans import Span

QUANTILES = (0.5, 0.9, 0.95, 0.99)
Measure = Literal["latency", "ttft"]
_MEASURES: dict[str, SQLColumnExpression[float | None]] = {
    "latency": Span.duration_ms,
    "ttft": Span.ttft_ms,
}


class percentiles_of(FunctionElement[Any]):  # noqa: N801 - reads as a SQL function
    """Exact (interpolated) percentiles of a column as one array, in ``QUANTILES`` order.

    Both dialects answer as numpy.percentile does by default (linear interpolation). DuckDB's
    ``quantile_cont(x, [list])`` sorts once for every quantile (242 ms against 508 ms for
    separate ``percentile_cont`` calls, p50/p95/p99 per model at 10M spans); PostgreSQL's
    ``percentile_cont(ARRAY[...]) WITHIN GROUP`` does the same.
    """

    type = NullType()
    inherit_cache = True
    name = "percentiles_of"


def _quantile_list() -> str:
    return ", ".join(repr(q) for q in QUANTILES)


@compiles(percentiles_of, "duckdb")
def _percentiles_duckdb(element: percentiles_of, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return f"quantile_cont({compiler.process(column, **kw)}, [{_quantile_list()}])"


@compiles(percentiles_of)
def _percentiles_portable(element: percentiles_of, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return (
        f"percentile_cont(ARRAY[{_quantile_list()}]) WITHIN GROUP "
        f"(ORDER BY {compiler.process(column, **kw)})"
    )


@dataclass(frozen=True, slots=True)
class Percentiles:
    """Percentiles in milliseconds of one group (and bucket); ``None`` without values."""

    group: tuple[Any, ...]
    bucket_start: datetime | None
    num_values: int
    p50: float | None
    p90: float | None
    p95: float | None
    p99: float | None


def latency_percentiles_statement(
    span_filter: SpanFilter | None = None,
    *,
    group_by: Sequence[str] = (),
    bucket: BucketSize | None = None,
    measure: Measure = "latency",
) -> Select[Any]:
    """The statement behind ``latency_percentiles`` (for "show SQL")."""
    grouping = Grouping.of(group_by, bucket)
    return _statement(grouping, span_filter or SpanFilter(), measure)


def latency_percentiles(
    conn: Connection,
    span_filter: SpanFilter | None = None,
    *,
    group_by: Sequence[str] = (),
    bucket: BucketSize | None = None,
    measure: Measure = "latency",
) -> list[Percentiles]:
    """p50/p90/p95/p99 of span duration (``measure="ttft"``: time to first token), in ms.

    One row per combination of the ``group_by`` dimensions (see ``dimension_column``) and,
    with ``bucket`` (minute, hour, day or seconds), per time bucket. Without either: one row,
    with ``num_values`` 0 and ``None`` percentiles when no span matches.

    >>> latency_percentiles(conn, SpanFilter(since=week_ago), group_by=["model"])
    ... # doctest: +SKIP
    """
    grouping = Grouping.of(group_by, bucket)
    stmt = _statement(grouping, span_filter or SpanFilter(), measure)
    results = []
    for row in conn.execute(stmt):
        group, start, (count, values) = grouping.split(row)
        p50, p90, p95, p99 = _floats(values)
        results.append(Percentiles(group, start, int(count), p50, p90, p95, p99))
    return results


def _statement(grouping: Grouping, span_filter: SpanFilter, measure: Measure) -> Select[Any]:
    if measure not in _MEASURES:
        raise ValueError(f"unknown measure {measure!r}; use latency or ttft")
    column = _MEASURES[measure]
    stmt = select(
        *grouping.columns(),
        func.count(column).label("num_values"),
        percentiles_of(column).label(f"{measure}_ms_percentiles"),
    ).select_from(Span)
    return grouping.apply(stmt, span_filter)


def _floats(values: Any) -> list[float | None]:
    if values is None:
        return [None] * len(QUANTILES)
    return [None if v is None else float(v) for v in values]
