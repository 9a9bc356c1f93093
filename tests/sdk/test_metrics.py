"""LLMMetrics and its instruments: stored samples and points, SQL summaries, seed behaviour."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy
import pytest
from sqlalchemy import Row, select

from llmobs_store.db.metrics import MetricPoint, RequestSample
from llmobs_store.sdk import Counter, Gauge, Histogram, LLMMetrics, LLMTracer
from llmobs_store.store import Store
from tests.conftest import count_rows

SUMMARY_KEYS = {
    "total_requests",
    "total_errors",
    "total_input_tokens",
    "total_output_tokens",
    "total_cost",
    "p50_latency",
    "p95_latency",
    "p99_latency",
}


def stored_points(store: Store, name: str) -> list[Row[Any]]:
    """The stored points of metric ``name`` in insertion order."""
    points = MetricPoint.__table__
    with store.connect() as conn:
        stmt = select(points).where(points.c.name == name).order_by(points.c.id)
        return list(conn.execute(stmt))


def stored_samples(store: Store) -> list[Row[Any]]:
    """Every stored request sample in insertion order."""
    samples = RequestSample.__table__
    with store.connect() as conn:
        return list(conn.execute(select(samples).order_by(samples.c.id)))


def test_record_request_stores_one_sample_per_request(store: Store) -> None:
    metrics = LLMMetrics(store, service_name="chat")
    tracer = LLMTracer(store=store)
    metrics.record_request("gpt-4o", 1.5, 100, 20, 0.003)
    trace_id = tracer.start_trace("request")
    metrics.record_request(
        "claude-haiku",
        0.4,
        50,
        10,
        0.001,
        success=False,
        ttft=0.12,
        provider="anthropic",
        cache_hit=True,
        attributes={"tenant": "acme"},
    )
    span = tracer.start_span("retry")
    metrics.record_request("gpt-4o", 2.0, 80, 0, 0.0, cache_hit=False, trace_id=trace_id)
    tracer.end_span()
    tracer.end_span()
    metrics.flush()

    first, second, third = stored_samples(store)
    assert (first.model, first.latency_s, first.input_tokens, first.output_tokens) == (
        "gpt-4o",
        1.5,
        100,
        20,
    )
    assert (first.cost_usd, first.success, first.service_name) == (0.003, True, "chat")
    assert first.trace_id is None and first.span_id is None and first.time.tzinfo is not None
    assert (second.success, second.ttft_s, second.provider, second.cache_hit) == (
        False,
        0.12,
        "anthropic",
        True,
    )
    assert second.trace_id == trace_id and second.attributes == {"tenant": "acme"}
    assert (third.trace_id, third.span_id, third.cache_hit) == (trace_id, span, False)
    with pytest.raises(ValueError, match="negative"):
        metrics.record_request("gpt-4o", -0.1, 1, 1, 0.0)
    # The sample is the durable record: record_request stores no metric points.
    assert count_rows(store, "metric_points") == 0

    gpt = {"model": "gpt-4o"}
    assert metrics.requests_total.get(gpt) == 2
    assert metrics.input_tokens.get(gpt) == 180 and metrics.output_tokens.get(gpt) == 20
    assert metrics.cost_total.get(gpt) == pytest.approx(0.003)
    assert metrics.request_errors.get({"model": "claude-haiku"}) == 1
    assert metrics.cache_hits.get({"model": "claude-haiku"}) == 1
    assert metrics.cache_misses.get(gpt) == 1
    assert metrics.request_latency.get_percentile(0.5, gpt) == 2.5
    assert metrics.time_to_first_token.get_percentile(0.99, {"model": "claude-haiku"}) == 0.25


def test_get_summary_uses_exact_percentiles(store: Store) -> None:
    metrics = LLMMetrics(store)
    assert metrics.get_summary() == {
        "total_requests": 0,
        "total_errors": 0,
        "total_input_tokens": 0,
        "total_output_tokens": 0,
        "total_cost": 0.0,
        "p50_latency": 0.0,
        "p95_latency": 0.0,
        "p99_latency": 0.0,
    }
    rng = random.Random(7)
    latencies = {"gpt-4o": [rng.lognormvariate(0, 0.8) for _ in range(150)]}
    latencies["mini"] = [rng.uniform(0.05, 0.6) for _ in range(61)]
    costs: list[float] = []
    for model, values in latencies.items():
        for i, latency in enumerate(values):
            cost = round(rng.uniform(0, 0.01), 6)
            costs.append(cost)
            metrics.record_request(model, latency, 100 + i, i, cost, success=i % 10 != 0)

    summary = metrics.get_summary()
    assert set(summary) == SUMMARY_KEYS
    every = latencies["gpt-4o"] + latencies["mini"]
    assert summary["total_requests"] == 211 and isinstance(summary["total_requests"], int)
    assert summary["total_errors"] == 15 + 7
    assert summary["total_input_tokens"] == 150 * 100 + sum(range(150)) + 61 * 100 + sum(range(61))
    assert summary["total_output_tokens"] == sum(range(150)) + sum(range(61))
    assert summary["total_cost"] == pytest.approx(sum(costs))
    for key, q in (("p50_latency", 50), ("p95_latency", 95), ("p99_latency", 99)):
        expected = float(numpy.percentile(every, q, method="linear"))
        assert summary[key] == pytest.approx(expected, rel=1e-9)
        assert isinstance(summary[key], float)
    assert summary["p50_latency"] == pytest.approx(statistics.median(every))

    mini = metrics.get_summary(model="mini")
    assert mini["total_requests"] == 61
    expected_p95 = float(numpy.percentile(latencies["mini"], 95, method="linear"))
    assert mini["p95_latency"] == pytest.approx(expected_p95)
    future = datetime.now(UTC) + timedelta(hours=1)
    assert metrics.get_summary(since=future)["total_requests"] == 0
    past = datetime.now(UTC) - timedelta(hours=1)
    assert metrics.get_summary(since=past.replace(tzinfo=None))["total_requests"] == 211


def test_counter_stores_delta_sums(store: Store) -> None:
    counter = Counter("jobs_total", "Jobs", unit="{job}", store=store, service_name="worker")
    counter.inc()
    counter.inc(2.5, labels={"model": "gpt-4o", "queue": "a"})
    counter.inc(1, labels={"queue": "a", "model": "gpt-4o"})
    with pytest.raises(ValueError, match="only increase"):
        counter.inc(-1)
    counter.flush()

    assert counter.get() == 1 and counter.get({"queue": "a", "model": "gpt-4o"}) == 3.5
    points = stored_points(store, "jobs_total")
    assert [p.value for p in points] == [1.0, 2.5, 1.0]
    for point in points:
        assert (point.kind, point.temporality, point.is_monotonic) == ("sum", "delta", True)
        assert (point.unit, point.description, point.service_name) == ("{job}", "Jobs", "worker")
        assert point.start_time is not None and point.start_time <= point.time
        assert len(point.series_key) == 64
    unlabelled, labelled, again = points
    assert labelled.series_key == again.series_key != unlabelled.series_key
    assert labelled.attributes == {"model": "gpt-4o", "queue": "a"}
    assert labelled.model == "gpt-4o" and unlabelled.model is None
    # Delta intervals of a series follow each other.
    assert again.start_time == labelled.time


def test_gauge_stores_each_new_value(store: Store) -> None:
    gauge = Gauge("llm_active_requests", store=store)
    gauge.set(5)
    gauge.inc()
    gauge.dec(2)
    gauge.flush()
    assert gauge.get() == 4
    points = stored_points(store, "llm_active_requests")
    assert [p.value for p in points] == [5.0, 6.0, 4.0]
    assert {(p.kind, p.temporality, p.is_monotonic) for p in points} == {("gauge", None, None)}
    assert len({p.series_key for p in points}) == 1


def test_histogram_stores_one_observation_per_point(store: Store) -> None:
    histogram = Histogram("latency_seconds", buckets=[1, 0.1, 0.5], store=store)
    for value in (0.05, 0.5, 0.7, 3.0):
        histogram.observe(value, labels={"model": "m"})
    histogram.flush()
    points = stored_points(store, "latency_seconds")
    assert [p.bucket_counts for p in points] == [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
    ]
    for point, value in zip(points, (0.05, 0.5, 0.7, 3.0), strict=True):
        # ``count`` is also a tuple method, so the column is read through the mapping.
        assert (point.kind, point.temporality, point._mapping["count"]) == ("histogram", "delta", 1)
        assert point.sum == point.min == point.max == value
        assert point.explicit_bounds == [0.1, 0.5, 1.0]
        assert point.value is None and point.model == "m"


def test_histogram_keeps_the_seed_in_memory_estimates(store: Store) -> None:
    histogram = Histogram("h", buckets=[0.25, 0.5, 1], store=store)
    assert histogram.get_percentile(0.5) == 0.0
    for value in [0.2] * 5 + [0.8] * 5:
        histogram.observe(value)
    assert histogram.get_percentile(0.5) == 0.25
    assert histogram.get_percentile(0.95) == 1.0
    histogram.observe(99)
    assert histogram.get_percentile(1.0) == 1.0
    assert histogram._totals[()] == 11 and histogram._sums[()] == pytest.approx(104)
    histogram.flush()
