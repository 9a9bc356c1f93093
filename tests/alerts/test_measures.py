"""Measuring SQL: each metric per group and window, checked against a computation in Python."""

from __future__ import annotations

import random
import statistics
from datetime import timedelta
from typing import Any

import pytest

from llmobs_store.alerts.measures import Measurement, measure, measure_steps
from llmobs_store.alerts.rules import Rule
from llmobs_store.ingest.records import SpanRecord
from llmobs_store.store import Store
from tests.alerts.crafted import NOON, cache_samples, llm_span

WINDOW = timedelta(minutes=5)


def _spans() -> list[SpanRecord]:
    """200 spans over the 10 minutes before NOON, two models, two tenants, some errors."""
    rng = random.Random(7)
    spans = []
    for i in range(200):
        at = NOON - timedelta(seconds=600) + timedelta(seconds=i * 3)
        spans.append(
            llm_span(
                at,
                duration_ms=round(rng.uniform(50, 5000), 3),
                model=("gpt-4o", "claude")[i % 2],
                status="error" if i % 7 == 0 else "ok",
                cost_usd=None if i % 5 == 0 else round(rng.uniform(0.001, 0.1), 6),
                input_tokens=100 + i,
                output_tokens=10,
                total_tokens=110 + i,
                ttft_ms=None if i % 3 == 0 else float(i),
                metadata={"tenant": ("acme", "globex")[i % 4 // 2]},
                span_type="llm" if i % 10 else "tool",
            )
        )
    return spans


def _rule(metric: str, **changes: Any) -> Rule:
    values: dict[str, Any] = {"window_s": 300, "comparator": ">", "warning_threshold": 1.0}
    return Rule(name="m", metric=metric, **{**values, **changes})


def _in_window(spans: list[SpanRecord], **match: str) -> list[SpanRecord]:
    return [
        s
        for s in spans
        if NOON - WINDOW <= s.start_time < NOON
        and all(getattr(s, k) == v for k, v in match.items())
    ]


def _by_model(found: list[Measurement]) -> dict[str, Measurement]:
    return {m.labels["model"]: m for m in found}


@pytest.fixture
def spans(store: Store) -> list[SpanRecord]:
    rows = _spans()
    store.write(rows)
    return rows


def test_each_metric_per_model_matches_python(store: Store, spans: list[SpanRecord]) -> None:
    for model in ("gpt-4o", "claude"):
        rows = _in_window(spans, model=model)
        durations = [s.duration_ms for s in rows]
        ttfts = [s.ttft_ms for s in rows if s.ttft_ms is not None]
        expected = {
            "error_rate": sum(s.status == "error" for s in rows) / len(rows),
            "latency_p50": statistics.quantiles(durations, n=100, method="inclusive")[49],
            "latency_p95": statistics.quantiles(durations, n=100, method="inclusive")[94],
            "ttft_p90": statistics.quantiles(ttfts, n=100, method="inclusive")[89],
            "cost_sum": sum(s.cost_usd or 0 for s in rows),
            "token_sum": sum(s.total_tokens or 0 for s in rows),
            "request_count": len(rows),
        }
        for metric, value in expected.items():
            found = _by_model(measure(store, _rule(metric, group_by=("model",)), NOON))
            assert found[model].value == pytest.approx(value), metric
            samples = len(ttfts) if metric.startswith("ttft") else len(rows)
            assert found[model].num_samples == samples, metric


def test_filters_and_metadata_groups(store: Store, spans: list[SpanRecord]) -> None:
    rule = _rule(
        "request_count",
        group_by=("tenant", "model"),
        filters={"span_type": "llm", "metadata": {"tenant": ["acme", "globex"]}},
    )
    found = {tuple(m.labels.values()): m.num_samples for m in measure(store, rule, NOON)}
    rows = _in_window([s for s in spans if s.span_type == "llm"])
    expected: dict[tuple[Any, ...], int] = {}
    for s in rows:
        key = ((s.metadata or {})["tenant"], s.model)
        expected[key] = expected.get(key, 0) + 1
    assert found == expected
    only = _rule("request_count", filters={"metadata.tenant": "acme", "model": "claude"})
    [one] = measure(store, only, NOON)
    assert one.labels == {} and one.value == len(
        [
            s
            for s in rows + _in_window(spans, span_type="tool")
            if s.model == "claude" and (s.metadata or {})["tenant"] == "acme"
        ]
    )


def test_steps_measure_each_window(store: Store, spans: list[SpanRecord]) -> None:
    rule = _rule("request_count")
    first = NOON - timedelta(minutes=12)
    found = measure_steps(store, rule, first, num_steps=8, step_s=120)
    assert sorted(found) == [first + timedelta(seconds=120 * k) for k in range(8)]
    for end, measured in found.items():
        expected = sum(end - WINDOW <= s.start_time < end for s in spans)
        assert sum(m.num_samples for m in measured) == expected, end
        assert measure(store, rule, end) == (measured or [])


def test_an_empty_window_is_no_data(store: Store) -> None:
    assert measure(store, _rule("error_rate"), NOON) == []


def test_cache_hit_rate_from_request_samples(store: Store) -> None:
    store.write(cache_samples(NOON - timedelta(minutes=30), hits=30, misses=90))
    [m] = measure(store, _rule("cache_hit_rate", window_s=3600), NOON)
    assert (m.value, m.num_samples) == (0.25, 120)


def test_cost_zscore_compares_the_hour_with_the_trailing_day(store: Store) -> None:
    hourly = [1.0, 3.0] * 12  # the 24 hours before the last one
    spans = [
        llm_span(NOON - timedelta(hours=25 - h, minutes=-10), cost_usd=cost)
        for h, cost in enumerate(hourly)
    ]
    spans += [llm_span(NOON - timedelta(minutes=30), cost_usd=4.0) for _ in range(3)]
    store.write(spans)
    [m] = measure(store, _rule("cost_zscore", window_s=3600), NOON)
    mean, stddev = statistics.fmean(hourly), statistics.pstdev(hourly)
    assert m.details == pytest.approx(
        {"cost_usd": 12.0, "trailing_mean": mean, "trailing_stddev": stddev}
    )
    assert m.value == pytest.approx((12.0 - mean) / stddev)
    assert m.num_samples == 3


def test_custom_sql_labels_and_values(store: Store, spans: list[SpanRecord]) -> None:
    rule = Rule(
        name="custom",
        metric="custom_sql",
        query="SELECT model, count(*) AS num_samples, avg(duration_ms) AS mean_ms FROM spans "
        "WHERE start_time >= :start AND start_time < :end GROUP BY model",
        window_s=300,
        comparator=">",
        warning_threshold=1.0,
    )
    found = _by_model(measure(store, rule, NOON))
    rows = _in_window(spans, model="claude")
    assert found["claude"].value == pytest.approx(statistics.fmean(s.duration_ms for s in rows))
    assert found["claude"].num_samples == len(rows)


def test_cost_zscore_needs_a_history_and_floors_a_flat_one(store: Store) -> None:
    rule = _rule("cost_zscore", window_s=3600)
    store.write([llm_span(NOON - timedelta(minutes=30), cost_usd=5.0)])
    [new] = measure(store, rule, NOON)
    assert (new.value, new.num_samples, new.details["cost_usd"]) == (None, 1, 5.0)
    store.write(
        [llm_span(NOON - timedelta(hours=h, minutes=30), cost_usd=1.0) for h in range(1, 25)]
    )
    [flat] = measure(store, rule, NOON)
    # mean 1 USD/h, no spread: the deviation is floored at 10 % of the mean.
    assert flat.value == pytest.approx((5.0 - 1.0) / 0.1)
