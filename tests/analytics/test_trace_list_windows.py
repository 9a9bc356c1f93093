"""list_traces newest first with a span filter: traces found across growing time windows."""

from __future__ import annotations

from datetime import timedelta

from llmobs_store.analytics.trace_filters import TraceFilters
from llmobs_store.analytics.trace_list import list_traces
from llmobs_store.store import Store
from tests.factories import T0, make_span

HOUR_MS = 3_600_000.0


def test_sparse_matches_spread_over_weeks_are_paged_in_order(store: Store) -> None:
    # Matching traces hours to weeks apart, among non-matching ones, with two tied starts.
    offsets_h = [0, 0, -0.5, -3, -20, -100, -700, -2000, -9000]
    matching = [f"{i + 1:032x}" for i in range(len(offsets_h))]
    spans = [
        make_span(trace_id=trace_id, offset_ms=h * HOUR_MS, model="rare", span_type="llm")
        for trace_id, h in zip(matching, offsets_h, strict=True)
    ] + [
        make_span(trace_id=f"{i + 100:032x}", offset_ms=-i * HOUR_MS / 4, model="common")
        for i in range(40)
    ]
    store.write(spans)
    want = sorted(
        zip(offsets_h, matching, strict=True), key=lambda pair: (pair[0], pair[1]), reverse=True
    )
    for filters in (
        TraceFilters(model="rare"),
        TraceFilters(model="rare", until=T0 + timedelta(hours=1)),
        TraceFilters(model="rare", since=T0 - timedelta(days=100)),
    ):
        seen: list[str] = []
        cursor = None
        with store.connect() as conn:
            while True:
                page = list_traces(conn, filters, limit=2, cursor=cursor)
                seen.extend(row.trace_id for row in page.rows)
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
        earliest = -1e9 if filters.since is None else -100 * 24
        assert seen == [trace_id for h, trace_id in want if h >= earliest]


def test_since_and_until_bound_the_windowed_search(store: Store) -> None:
    store.write(
        [
            make_span(trace_id=f"{i + 1:032x}", offset_ms=-i * 10 * HOUR_MS, model="m")
            for i in range(10)
        ]
    )
    filters = TraceFilters(
        model="m", since=T0 - timedelta(hours=55), until=T0 - timedelta(hours=15)
    )
    with store.connect() as conn:
        page = list_traces(conn, filters, limit=2)
        rest = list_traces(conn, filters, limit=10, cursor=page.next_cursor)
    assert [row.trace_id for row in page.rows + rest.rows] == [
        f"{i + 1:032x}" for i in (2, 3, 4, 5)
    ]
    assert rest.next_cursor is None
