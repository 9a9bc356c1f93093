"""latency_percentiles: exact percentiles per dimension and bucket, checked against numpy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import numpy
import pytest

from llmobs_store.analytics.buckets import floor_to_bucket
from llmobs_store.analytics.filters import SpanFilter
from llmobs_store.analytics.latency import QUANTILES, Percentiles, latency_percentiles
from llmobs_store.ingest.records import SpanRecord
from tests.analytics.crafted_spans import START, Crafted, crafted_store
from tests.conftest import BACKENDS


@pytest.fixture(scope="module", params=BACKENDS)
def crafted(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Crafted]:
    yield from crafted_store(request, tmp_path_factory)


def expected(values: list[float]) -> list[float]:
    return [float(numpy.percentile(values, q * 100)) for q in QUANTILES]


def measured(row: Percentiles) -> list[float | None]:
    return [row.p50, row.p90, row.p95, row.p99]


def test_overall_percentiles_match_numpy(crafted: Crafted) -> None:
    with crafted.store.connect() as conn:
        (row,) = latency_percentiles(conn)
    durations = [s.duration_ms for s in crafted.spans]
    assert row.group == () and row.bucket_start is None
    assert row.num_values == len(durations)
    assert measured(row) == pytest.approx(expected(durations))


def test_per_model_latency_and_ttft(crafted: Crafted) -> None:
    with crafted.store.connect() as conn:
        latency = latency_percentiles(conn, group_by=["model"])
        ttft = latency_percentiles(conn, group_by=["model"], measure="ttft")
    models = sorted({s.model for s in crafted.spans if s.model}) + [None]
    assert [row.group for row in latency] == [(m,) for m in models]
    for row in latency:
        values = [s.duration_ms for s in crafted.spans if s.model == row.group[0]]
        assert row.num_values == len(values)
        assert measured(row) == pytest.approx(expected(values))
    by_model = {row.group[0]: row for row in ttft}
    # Tool spans have no TTFT: their group is there, with no values and no percentiles.
    assert by_model[None].num_values == 0 and measured(by_model[None]) == [None] * 4
    for model in models[:-1]:
        values = [s.ttft_ms for s in crafted.spans if s.model == model and s.ttft_ms is not None]
        assert by_model[model].num_values == len(values)
        assert measured(by_model[model]) == pytest.approx(expected(values))


def test_hourly_buckets_cross_utc_midnight(crafted: Crafted) -> None:
    with crafted.store.connect() as conn:
        rows = latency_percentiles(conn, SpanFilter(span_type="llm"), bucket="hour")
    starts = [START + timedelta(hours=h) for h in range(4)]
    assert [row.bucket_start for row in rows] == starts
    assert starts[2].day == 2 and starts[2].hour == 0
    for row in rows:
        assert row.bucket_start is not None and row.bucket_start.utcoffset() == timedelta(0)
        values = [
            s.duration_ms
            for s in crafted.spans
            if s.span_type == "llm" and floor_to_bucket(s.start_time, 3600) == row.bucket_start
        ]
        assert row.num_values == len(values)
        assert measured(row) == pytest.approx(expected(values))


def test_group_by_attribute_and_tenant_per_day(crafted: Crafted) -> None:
    with crafted.store.connect() as conn:
        rows = latency_percentiles(conn, group_by=["attr:app.feature", "tenant"], bucket="day")

    def key(span: SpanRecord) -> tuple[object, ...]:
        assert span.metadata is not None
        return (
            span.attributes["app.feature"],
            span.metadata["tenant"],
            floor_to_bucket(span.start_time, 86_400),
        )

    groups: dict[tuple[object, ...], list[float]] = {}
    for span in crafted.spans:
        groups.setdefault(key(span), []).append(span.duration_ms)
    assert sorted(groups) == [(*row.group, row.bucket_start) for row in rows]
    for row in rows:
        values = groups[(*row.group, row.bucket_start)]
        assert measured(row) == pytest.approx(expected(values))


def test_filters_narrow_the_rows(crafted: Crafted) -> None:
    span_filter = SpanFilter(
        since=START + timedelta(minutes=30),
        until=START + timedelta(hours=3),
        service="search",
        status=("ok", "unset"),
        attributes={"app.feature": "it's"},
    )
    with crafted.store.connect() as conn:
        (row,) = latency_percentiles(conn, span_filter)
    values = [
        s.duration_ms
        for s in crafted.spans
        if span_filter.since <= s.start_time < span_filter.until  # type: ignore[operator]
        and s.service_name == "search"
        and s.status == "ok"
        and s.attributes["app.feature"] == "it's"
    ]
    assert 0 < row.num_values == len(values)
    assert measured(row) == pytest.approx(expected(values))


def test_no_matching_span(crafted: Crafted) -> None:
    nothing = SpanFilter(model="no-such-model")
    with crafted.store.connect() as conn:
        assert latency_percentiles(conn, nothing) == [
            Percentiles((), None, 0, None, None, None, None)
        ]
        assert latency_percentiles(conn, nothing, group_by=["model"], bucket="minute") == []


def test_unknown_dimension_and_measure_are_refused(crafted: Crafted) -> None:
    with crafted.store.connect() as conn, pytest.raises(ValueError, match="unknown dimension"):
        latency_percentiles(conn, group_by=["colour"])
    with pytest.raises(ValueError, match="unknown measure"):
        latency_percentiles(None, measure="speed")  # type: ignore[arg-type]
