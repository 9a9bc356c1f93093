"""Rolling error rate, prompt-cache share and cost spikes, against windows computed in Python."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from llmobs_store.analytics.cache import rolling_cache_hit_rate
from llmobs_store.analytics.filters import SpanFilter
from llmobs_store.analytics.rolling import cost_spikes, rolling_error_rate
from llmobs_store.ingest.records import SpanRecord
from llmobs_store.store import Store
from tests.analytics.crafted_spans import END, START, Crafted, crafted_store
from tests.conftest import BACKENDS
from tests.factories import T0, make_span


@pytest.fixture(scope="module", params=BACKENDS)
def crafted(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Crafted]:
    yield from crafted_store(request, tmp_path_factory)


def window_counts(spans: list[SpanRecord], end: datetime, width: timedelta) -> tuple[int, int]:
    inside = [s for s in spans if end - width <= s.start_time < end]
    return len(inside), sum(s.status == "error" for s in inside)


def test_error_rate_over_the_last_15_minutes(crafted: Crafted) -> None:
    since, until = START + timedelta(minutes=50), START + timedelta(hours=3, minutes=10)
    window = timedelta(minutes=15)
    with crafted.store.connect() as conn:
        points = rolling_error_rate(
            conn, SpanFilter(since=since, until=until), window=window, step=300
        )
    # One point per 5 minutes, gaps included; each covers the 15 minutes up to its bucket's end.
    assert [p.bucket_start for p in points] == [
        since + timedelta(minutes=5 * i) for i in range(int((until - since) / timedelta(minutes=5)))
    ]
    for point in points:
        end = point.bucket_start + timedelta(minutes=5)
        requests, errors = window_counts(crafted.spans, end, window)
        assert (point.num_requests, point.num_errors) == (requests, errors)
        assert point.error_rate == (pytest.approx(errors / requests) if requests else None)
    assert any(p.num_errors for p in points)


def test_prompt_cache_share_over_the_last_half_hour_per_model(crafted: Crafted) -> None:
    since, until = START + timedelta(minutes=30), END
    window = timedelta(minutes=30)
    with crafted.store.connect() as conn:
        points = rolling_cache_hit_rate(
            conn, SpanFilter(since=since, until=until), window=window, step=600, group_by=["model"]
        )
    models = {s.model for s in crafted.spans if s.input_tokens is not None}
    assert {p.group[0] for p in points} >= models
    assert any(p.cache_hit_rate for p in points)
    for point in points:
        end = point.bucket_start + timedelta(minutes=10)
        inside = [
            s
            for s in crafted.spans
            if s.model == point.group[0] and end - window <= s.start_time < end
        ]
        tokens = sum(s.input_tokens or 0 for s in inside)
        read = sum(s.cache_read_tokens or 0 for s in inside)
        assert (point.input_tokens, point.cache_read_tokens) == (tokens, read)
        assert point.cache_hit_rate == (pytest.approx(read / tokens) if tokens else None)


def test_error_rate_per_service(crafted: Crafted) -> None:
    span_filter = SpanFilter(since=START, until=END, span_type="llm")
    with crafted.store.connect() as conn:
        points = rolling_error_rate(
            conn, span_filter, window=timedelta(hours=1), step="minute", group_by=["service"]
        )
    assert {p.group for p in points} == {("checkout",), ("search",)}
    assert len(points) == 2 * 240
    for point in points[::17]:
        service = point.group[0]
        spans = [s for s in crafted.spans if s.span_type == "llm" and s.service_name == service]
        end = point.bucket_start + timedelta(minutes=1)
        # The window reaches before ``since``; there are no spans there.
        assert (point.num_requests, point.num_errors) == window_counts(
            spans, end, timedelta(hours=1)
        )


def test_rolling_needs_a_time_range(crafted: Crafted) -> None:
    with crafted.store.connect() as conn:
        with pytest.raises(ValueError, match="since and until"):
            rolling_error_rate(conn, SpanFilter(since=START))
        with pytest.raises(ValueError, match="multiple of the step"):
            rolling_error_rate(
                conn, SpanFilter(since=START, until=END), window=timedelta(seconds=90)
            )


def test_cost_spike_against_trailing_hours(store: Store) -> None:
    # Hourly costs before the range (history) and inside it, one hour with nothing spent.
    day = datetime(2026, 1, 5, tzinfo=UTC)
    hourly = [1.0, 1.2, 0.8, 1.1, 0.9, 1.0, None, 1.05, 9.0, 1.0]
    spans = []
    for hour, cost in enumerate(hourly):
        if cost is None:
            continue
        for part in (0.25, 0.75):  # two spans an hour, together costing ``cost``
            start = day + timedelta(hours=hour, minutes=50 * part)
            offset_ms = (start - T0).total_seconds() * 1000
            spans.append(make_span(offset_ms=offset_ms, span_type="llm", cost_usd=cost * part))
    store.write(spans)
    since, until = day + timedelta(hours=4), day + timedelta(hours=10)
    with store.connect() as conn:
        points = cost_spikes(conn, SpanFilter(since=since, until=until), trailing=4)
    per_hour = [cost or 0.0 for cost in hourly]
    assert [p.bucket_start for p in points] == [day + timedelta(hours=h) for h in range(4, 10)]
    for point, hour in zip(points, range(4, 10), strict=True):
        before = per_hour[hour - 4 : hour]
        assert point.cost_usd == pytest.approx(per_hour[hour])
        assert point.trailing_mean == pytest.approx(statistics.mean(before))
        assert point.trailing_stddev == pytest.approx(statistics.stdev(before))
        z = (per_hour[hour] - statistics.mean(before)) / statistics.stdev(before)
        assert point.z_score == pytest.approx(z)
    spike = max(points, key=lambda p: p.z_score or 0)
    assert spike.bucket_start == day + timedelta(hours=8) and spike.z_score is not None
    assert spike.z_score > 3


def test_cost_spikes_without_history(store: Store) -> None:
    since = datetime(2026, 1, 5, tzinfo=UTC)
    with store.connect() as conn:
        points = cost_spikes(conn, SpanFilter(since=since, until=since + timedelta(hours=3)))
    assert [(p.cost_usd, p.trailing_mean, p.z_score) for p in points] == [(0.0, 0.0, None)] * 3
