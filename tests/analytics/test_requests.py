"""request_summary: totals and exact latency percentiles over request_samples, filtered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy
import pytest

from llmobs_store.analytics.requests import RequestSummary, request_summary
from llmobs_store.ingest.records import RequestSampleRecord
from llmobs_store.store import Store

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def sample(
    minute: int,
    latency_s: float,
    *,
    model: str = "gpt-4o",
    input_tokens: int | None = 10,
    output_tokens: int | None = 2,
    cost_usd: float | None = None,
    success: bool = True,
    service_name: str | None = None,
) -> RequestSampleRecord:
    """A request ``minute`` minutes after ``T0``."""
    return RequestSampleRecord(
        time=T0 + timedelta(minutes=minute),
        model=model,
        latency_s=latency_s,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=cost_usd,
        success=success,
        service_name=service_name,
    )


def test_an_empty_table_sums_to_zero(store: Store) -> None:
    with store.connect() as conn:
        assert request_summary(conn) == RequestSummary(0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0)


def test_totals_and_percentiles(store: Store) -> None:
    latencies = [0.2, 0.35, 0.9, 1.4, 2.0, 3.3, 7.5]
    store.write(
        [sample(i, latency, cost_usd=0.25, success=i != 3) for i, latency in enumerate(latencies)]
        + [sample(9, 12.0, cost_usd=None, input_tokens=None, output_tokens=None)]
    )
    with store.connect() as conn:
        summary = request_summary(conn)
    every = [*latencies, 12.0]
    assert (summary.num_requests, summary.num_errors) == (8, 1)
    assert (summary.input_tokens, summary.output_tokens) == (70, 14)
    assert summary.cost_usd == pytest.approx(1.75)
    # PostgreSQL sums BIGINT as NUMERIC: the summary still holds plain ints and floats.
    assert type(summary.input_tokens) is int and type(summary.cost_usd) is float
    for value, q in (
        (summary.p50_latency_s, 50),
        (summary.p95_latency_s, 95),
        (summary.p99_latency_s, 99),
    ):
        assert value == pytest.approx(float(numpy.percentile(every, q, method="linear")))
        assert type(value) is float


def test_filters_by_time_model_and_service(store: Store) -> None:
    store.write(
        [
            sample(0, 1.0, service_name="chat"),
            sample(10, 2.0, model="mini", service_name="chat"),
            sample(20, 4.0, model="mini", service_name="batch"),
        ]
    )
    with store.connect() as conn:
        assert request_summary(conn, model="mini").num_requests == 2
        assert request_summary(conn, service_name="chat").p50_latency_s == pytest.approx(1.5)
        recent = request_summary(conn, since=T0 + timedelta(minutes=10))
        assert recent.num_requests == 2 and recent.p50_latency_s == pytest.approx(3.0)
        # A naive ``since`` is read as UTC.
        naive = T0.replace(tzinfo=None) + timedelta(minutes=20)
        assert request_summary(conn, since=naive).num_requests == 1
        assert request_summary(conn, model="mini", service_name="batch").num_requests == 1
        assert request_summary(conn, model="absent") == RequestSummary(0, 0, 0, 0, 0, 0, 0, 0)
