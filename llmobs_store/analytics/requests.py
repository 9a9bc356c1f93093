"""Summary of recorded LLM requests: counts, tokens, cost and exact latency percentiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from llmobs_store.db.metrics import RequestSample

PERCENTILES = (0.5, 0.95, 0.99)


@dataclass(frozen=True, slots=True)
class RequestSummary:
    """Totals and latency percentiles over ``request_samples`` (zeros when there are none)."""

    num_requests: int
    num_errors: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    p50_latency_s: float
    p95_latency_s: float
    p99_latency_s: float


def request_summary(
    conn: Connection,
    *,
    since: datetime | None = None,
    model: str | None = None,
    service_name: str | None = None,
) -> RequestSummary:
    """Summarise the requests recorded at or after ``since``, for one model or service if given.

    Percentiles are exact (``percentile_cont``: linear interpolation between the two nearest
    samples, as ``numpy.percentile`` does by default), not bucket estimates.
    """
    latency = RequestSample.latency_s
    stmt = select(
        func.count(),
        func.count().filter(RequestSample.success.is_(False)),
        func.sum(RequestSample.input_tokens),
        func.sum(RequestSample.output_tokens),
        func.sum(RequestSample.cost_usd),
        *(func.percentile_cont(q).within_group(latency) for q in PERCENTILES),
    ).where(*_filters(since=since, model=model, service_name=service_name))
    row = conn.execute(stmt).one()
    return RequestSummary(
        num_requests=_int(row[0]),
        num_errors=_int(row[1]),
        input_tokens=_int(row[2]),
        output_tokens=_int(row[3]),
        cost_usd=_float(row[4]),
        p50_latency_s=_float(row[5]),
        p95_latency_s=_float(row[6]),
        p99_latency_s=_float(row[7]),
    )


def _filters(
    *, since: datetime | None, model: str | None, service_name: str | None
) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if since is not None:
        clauses.append(RequestSample.time >= since)
    if model is not None:
        clauses.append(RequestSample.model == model)
    if service_name is not None:
        clauses.append(RequestSample.service_name == service_name)
    return clauses


# Aggregates over no rows are NULL, and PostgreSQL returns Decimal for SUM of BIGINT.
def _int(value: Any) -> int:
    return 0 if value is None else int(value)


def _float(value: Any) -> float:
    return 0.0 if value is None else float(value)
