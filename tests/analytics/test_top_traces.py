"""top_traces: the costliest and slowest traces of a range, from the traces summary."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from llmobs_store.analytics.top_traces import top_traces
from tests.analytics.crafted_spans import END, START, Crafted, crafted_store
from tests.conftest import BACKENDS


@pytest.fixture(scope="module", params=BACKENDS)
def crafted(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Crafted]:
    yield from crafted_store(request, tmp_path_factory)


def test_costliest_traces(crafted: Crafted) -> None:
    # Every crafted span is its own trace.
    priced = sorted(
        (s for s in crafted.spans if s.cost_usd is not None),
        key=lambda s: (-(s.cost_usd or 0), s.trace_id),
    )
    with crafted.store.connect() as conn:
        top = top_traces(conn, by="cost", limit=7)
    assert [t.trace_id for t in top] == [s.trace_id for s in priced[:7]]
    assert [t.cost_usd for t in top] == pytest.approx([s.cost_usd for s in priced[:7]])
    assert top[0].num_spans == 1 and top[0].name is not None


def test_slowest_traces_in_a_range_and_service(crafted: Crafted) -> None:
    since, until = START + timedelta(hours=1), END - timedelta(hours=1)
    spans = crafted.select(lambda s: since <= s.start_time < until and s.service_name == "search")
    slowest = sorted(spans, key=lambda s: (-s.duration_ms, s.trace_id))[:5]
    with crafted.store.connect() as conn:
        top = top_traces(conn, by="duration", limit=5, since=since, until=until, service="search")
    assert [t.trace_id for t in top] == [s.trace_id for s in slowest]
    assert [t.duration_ms for t in top] == pytest.approx([s.duration_ms for s in slowest])
    assert all(t.service_name == "search" for t in top)


def test_empty_range_and_bad_arguments(crafted: Crafted) -> None:
    with crafted.store.connect() as conn:
        assert top_traces(conn, since=END) == []
        with pytest.raises(ValueError):
            top_traces(conn, by="tokens")  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            top_traces(conn, limit=0)
