"""usage: requests, errors, tokens, cost and price coverage, checked against Python sums."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from llmobs_store.analytics.buckets import floor_to_bucket
from llmobs_store.analytics.filters import SpanFilter
from llmobs_store.analytics.usage import Usage, usage
from llmobs_store.ingest.records import SpanRecord
from tests.analytics.crafted_spans import Crafted, crafted_store
from tests.conftest import BACKENDS


@pytest.fixture(scope="module", params=BACKENDS)
def crafted(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Crafted]:
    yield from crafted_store(request, tmp_path_factory)


def summed(spans: list[SpanRecord]) -> dict[str, object]:
    """The figures of ``usage`` computed in Python."""
    llm = [s for s in spans if s.span_type == "llm"]
    costs = [s.cost_usd for s in spans if s.cost_usd is not None]
    return {
        "num_requests": len(spans),
        "num_errors": sum(s.status == "error" for s in spans),
        "input_tokens": sum(s.input_tokens or 0 for s in spans),
        "output_tokens": sum(s.output_tokens or 0 for s in spans),
        "cache_read_tokens": sum(s.cache_read_tokens or 0 for s in spans),
        "reasoning_tokens": sum(s.reasoning_tokens or 0 for s in spans),
        "cost_usd": pytest.approx(sum(costs)) if costs else None,
        "num_llm_spans": len(llm),
        "num_priced": sum(s.cost_usd is not None for s in llm),
    }


def figures(row: Usage) -> dict[str, object]:
    return {name: getattr(row, name) for name in summed([])}


def test_totals_match_python_sums(crafted: Crafted) -> None:
    with crafted.store.connect() as conn:
        (row,) = usage(conn)
    assert figures(row) == summed(crafted.spans)
    assert type(row.input_tokens) is int and type(row.cost_usd) is float
    expected_rate = sum(s.status == "error" for s in crafted.spans) / len(crafted.spans)
    assert row.error_rate == pytest.approx(expected_rate)
    assert 0 < row.num_unpriced < row.num_llm_spans
    assert row.price_coverage == pytest.approx(row.num_priced / row.num_llm_spans)


def test_per_model_per_day(crafted: Crafted) -> None:
    with crafted.store.connect() as conn:
        rows = usage(conn, SpanFilter(span_type="llm"), group_by=["model"], bucket="day")
    groups: dict[tuple[object, ...], list[SpanRecord]] = {}
    for span in crafted.select(lambda s: s.span_type == "llm"):
        groups.setdefault((span.model, floor_to_bucket(span.start_time, 86_400)), []).append(span)
    assert [(*row.group, row.bucket_start) for row in rows] == sorted(groups)
    assert len({row.bucket_start for row in rows}) == 2  # both sides of midnight
    for row in rows:
        assert figures(row) == summed(groups[(*row.group, row.bucket_start)])


def test_per_tenant_and_attribute_with_filters(crafted: Crafted) -> None:
    span_filter = SpanFilter(provider="openai", metadata={"tenant": "acme"}, attributes={"i": "4"})
    with crafted.store.connect() as conn:
        assert [figures(r) for r in usage(conn, span_filter)] == [
            summed(crafted.select(lambda s: s.attributes["i"] == 4))
        ]
        rows = usage(
            conn, SpanFilter(user=("user-1", "user-2")), group_by=["tenant", "attr:app.feature"]
        )
    for row in rows:
        tenant, feature = row.group
        spans = [
            s
            for s in crafted.spans
            if s.user_id in ("user-1", "user-2")
            and (s.metadata or {})["tenant"] == tenant
            and s.attributes["app.feature"] == feature
        ]
        assert figures(row) == summed(spans)
    assert sum(row.num_requests for row in rows) == 2 * len(crafted.spans) // 5


def test_derived_figures() -> None:
    row = Usage((), None, 200, 10, 1000, 50, 250, 0, 4.0, 100, 80)
    assert row.error_rate == 0.05
    assert (row.num_unpriced, row.price_coverage) == (20, 0.8)
    assert row.cache_read_share == 0.25
    assert row.cost_per_1k_requests == 20.0
    empty = Usage((), None, 0, 0, 0, 0, 0, 0, None, 0, 0)
    assert (empty.error_rate, empty.price_coverage, empty.cost_per_1k_requests) == (None,) * 3
    assert empty.cache_read_share is None


def test_no_matching_span(crafted: Crafted) -> None:
    nothing = SpanFilter(service="nowhere")
    with crafted.store.connect() as conn:
        assert usage(conn, nothing) == [Usage((), None, 0, 0, 0, 0, 0, 0, None, 0, 0)]
        assert usage(conn, nothing, group_by=["user"], bucket=300) == []
