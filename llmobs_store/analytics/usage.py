"""Requests, errors, tokens and cost with price coverage, per any dimensions and time bucket."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, func, select

from llmobs_store.analytics.buckets import BucketSize
from llmobs_store.analytics.filters import SpanFilter
from llmobs_store.analytics.grouping import Grouping
from llmobs_store.db.spans import Span


@dataclass(frozen=True, slots=True)
class Usage:
    """Counts and sums of one group (and bucket).

    Token sums count only spans that reported them (0 when none did); ``cost_usd`` is ``None``
    when no span of the group was priced, and ``price_coverage`` says how many of its LLM spans
    (``span_type = 'llm'``) carry a cost, so a partial total is never mistaken for a full one.
    """

    group: tuple[Any, ...]
    bucket_start: datetime | None
    num_requests: int
    num_errors: int
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    reasoning_tokens: int
    cost_usd: float | None
    num_llm_spans: int
    num_priced: int

    @property
    def error_rate(self) -> float | None:
        """Errors per request (0..1); ``None`` without requests."""
        return self.num_errors / self.num_requests if self.num_requests else None

    @property
    def num_unpriced(self) -> int:
        """LLM spans without a computed cost (unknown model price or no tokens)."""
        return self.num_llm_spans - self.num_priced

    @property
    def price_coverage(self) -> float | None:
        """Share (0..1) of LLM spans that are priced; ``None`` without LLM spans."""
        return self.num_priced / self.num_llm_spans if self.num_llm_spans else None

    @property
    def cache_read_share(self) -> float | None:
        """Share (0..1) of input tokens read from the provider's prompt cache."""
        return self.cache_read_tokens / self.input_tokens if self.input_tokens else None

    @property
    def cost_per_1k_requests(self) -> float | None:
        """Cost of a thousand requests at this group's average, when priced."""
        if self.cost_usd is None or not self.num_requests:
            return None
        return self.cost_usd * 1000 / self.num_requests


def usage_statement(
    span_filter: SpanFilter | None = None,
    *,
    group_by: Sequence[str] = (),
    bucket: BucketSize | None = None,
) -> Select[Any]:
    """The statement behind ``usage`` (for "show SQL")."""
    return _statement(Grouping.of(group_by, bucket), span_filter or SpanFilter())


def usage(
    conn: Connection,
    span_filter: SpanFilter | None = None,
    *,
    group_by: Sequence[str] = (),
    bucket: BucketSize | None = None,
) -> list[Usage]:
    """Requests (matching spans), errors, tokens, cost and price coverage.

    One row per combination of ``group_by`` dimensions and, with ``bucket``, per time bucket;
    without either, exactly one row (all zeros when nothing matches).

    >>> usage(conn, SpanFilter(since=month_ago, span_type="llm"), group_by=["tenant"],
    ...       bucket="day")  # doctest: +SKIP
    """
    grouping = Grouping.of(group_by, bucket)
    results = []
    for row in conn.execute(_statement(grouping, span_filter or SpanFilter())):
        group, start, values = grouping.split(row)
        requests, errors, tokens_in, tokens_out, cached, reasoning, cost, llm, priced = values
        results.append(
            Usage(
                group=group,
                bucket_start=start,
                num_requests=int(requests),
                num_errors=int(errors),
                input_tokens=_int(tokens_in),
                output_tokens=_int(tokens_out),
                cache_read_tokens=_int(cached),
                reasoning_tokens=_int(reasoning),
                cost_usd=None if cost is None else float(cost),
                num_llm_spans=int(llm),
                num_priced=int(priced),
            )
        )
    return results


def _statement(grouping: Grouping, span_filter: SpanFilter) -> Select[Any]:
    is_llm = Span.span_type == "llm"
    stmt = select(
        *grouping.columns(),
        func.count().label("num_requests"),
        func.count().filter(Span.status == "error").label("num_errors"),
        func.sum(Span.input_tokens).label("input_tokens"),
        func.sum(Span.output_tokens).label("output_tokens"),
        func.sum(Span.cache_read_tokens).label("cache_read_tokens"),
        func.sum(Span.reasoning_tokens).label("reasoning_tokens"),
        func.sum(Span.cost_usd).label("cost_usd"),
        func.count().filter(is_llm).label("num_llm_spans"),
        func.count().filter(and_(is_llm, Span.cost_usd.is_not(None))).label("num_priced"),
    ).select_from(Span)
    return grouping.apply(stmt, span_filter)


# PostgreSQL sums BIGINT as NUMERIC (Decimal); a sum over no reported value is NULL.
def _int(value: Any) -> int:
    return 0 if value is None else int(value)
