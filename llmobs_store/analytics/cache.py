"""Cache hit rates: prompt-cache token share from spans (rolling), cache hits from samples."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    SQLColumnExpression,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute

from llmobs_store.analytics.bucket_series import ratio_rows, windowed_ratio
from llmobs_store.analytics.buckets import BucketSize, bucket_seconds, bucket_start
from llmobs_store.analytics.filters import SpanFilter
from llmobs_store.db.metrics import RequestSample
from llmobs_store.db.spans import Span
from llmobs_store.db.types import as_utc

# Dimensions of request samples (they carry fewer labels than spans).
_SAMPLE_DIMENSIONS: dict[str, InstrumentedAttribute[Any]] = {
    "model": RequestSample.model,
    "provider": RequestSample.provider,
    "service": RequestSample.service_name,
}


@dataclass(frozen=True, slots=True)
class CacheHits:
    """Requests that consulted an application cache, and how many of them hit."""

    group: tuple[Any, ...]
    bucket_start: datetime | None
    num_lookups: int
    num_hits: int

    @property
    def hit_rate(self) -> float | None:
        """Hits per lookup (0..1); ``None`` when no request reported a cache outcome."""
        return self.num_hits / self.num_lookups if self.num_lookups else None


@dataclass(frozen=True, slots=True)
class CacheSharePoint:
    """Input tokens, and those read from a prompt cache, in the window ending with a bucket."""

    group: tuple[Any, ...]
    bucket_start: datetime
    input_tokens: int
    cache_read_tokens: int
    cache_hit_rate: float | None


def rolling_cache_hit_rate_statement(
    span_filter: SpanFilter,
    *,
    window: timedelta = timedelta(hours=1),
    step: BucketSize = "minute",
    group_by: Sequence[str] = (),
) -> Select[Any]:
    """The statement behind ``rolling_cache_hit_rate`` (for "show SQL")."""
    return windowed_ratio(
        span_filter,
        window,
        step,
        group_by,
        ("input_tokens", _token_sum(Span.input_tokens)),
        ("cache_read_tokens", _token_sum(Span.cache_read_tokens)),
        "hit_rate",
    )


def rolling_cache_hit_rate(
    conn: Connection,
    span_filter: SpanFilter,
    *,
    window: timedelta = timedelta(hours=1),
    step: BucketSize = "minute",
    group_by: Sequence[str] = (),
) -> list[CacheSharePoint]:
    """Share of input tokens read from a prompt cache over the last ``window``, every ``step``.

    Input tokens include cache reads (the GenAI convention), so the share is at most 1; it is
    ``None`` for windows without input tokens. Needs ``since`` and ``until``.
    """
    stmt = rolling_cache_hit_rate_statement(
        span_filter, window=window, step=step, group_by=group_by
    )
    return [CacheSharePoint(*row) for row in ratio_rows(conn, stmt, len(group_by))]


def sample_cache_hits_statement(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    service: str | None = None,
    model: str | None = None,
    group_by: Sequence[str] = (),
    bucket: BucketSize | None = None,
) -> Select[Any]:
    """The statement behind ``sample_cache_hits`` (for "show SQL")."""
    columns: list[ColumnElement[Any]] = []
    for name in group_by:
        if name not in _SAMPLE_DIMENSIONS:
            raise ValueError(f"request samples group by {', '.join(_SAMPLE_DIMENSIONS)}")
        columns.append(_SAMPLE_DIMENSIONS[name].expression.label(name))
    if bucket is not None:
        width = bucket_seconds(bucket)
        columns.append(bucket_start(RequestSample.time, width).label("bucket_start"))
    clauses: list[ColumnElement[bool]] = [RequestSample.cache_hit.is_not(None)]
    if since is not None:
        clauses.append(RequestSample.time >= as_utc(since))
    if until is not None:
        clauses.append(RequestSample.time < as_utc(until))
    if service is not None:
        clauses.append(RequestSample.service_name == service)
    if model is not None:
        clauses.append(RequestSample.model == model)
    stmt = select(
        *columns,
        func.count().label("num_lookups"),
        func.count().filter(RequestSample.cache_hit.is_(True)).label("num_hits"),
    ).where(*clauses)
    if columns:
        positions: list[ColumnElement[Any]] = [
            literal_column(str(i + 1)) for i in range(len(columns))
        ]
        stmt = stmt.group_by(*positions).order_by(*positions)
    return stmt


def sample_cache_hits(
    conn: Connection,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    service: str | None = None,
    model: str | None = None,
    group_by: Sequence[str] = (),
    bucket: BucketSize | None = None,
) -> list[CacheHits]:
    """Cache lookups and hits recorded with request samples (``cache_hit`` true/false).

    The prompt-cache share of input tokens per span is ``Usage.cache_read_share``.
    """
    stmt = sample_cache_hits_statement(
        since=since, until=until, service=service, model=model, group_by=group_by, bucket=bucket
    )
    width = len(group_by)
    results = []
    for row in conn.execute(stmt):
        start = row[width] if bucket is not None else None
        lookups, hits = row[-2], row[-1]
        results.append(CacheHits(tuple(row[:width]), start, int(lookups), int(hits)))
    return results


def _token_sum(column: SQLColumnExpression[int | None]) -> ColumnElement[int]:
    # PostgreSQL sums BIGINT into NUMERIC: back to BIGINT, 0 for a bucket without tokens.
    return cast(func.coalesce(func.sum(column), 0), BigInteger)
