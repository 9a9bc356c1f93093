"""list_traces: every filter, every sort, keyset pages that cover each trace exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from llmobs_store.analytics.page_cursor import PageCursor
from llmobs_store.analytics.statement import render_sql
from llmobs_store.analytics.trace_filters import TraceFilters
from llmobs_store.analytics.trace_list import TraceSort, list_traces, trace_list_statement
from llmobs_store.errors import InvalidCursor
from llmobs_store.ingest.records import SpanRecord
from llmobs_store.store import Store
from tests.conftest import BACKENDS, POSTGRES_URL, reset_postgres
from tests.factories import T0, make_span

NUM_TRACES = 30


@dataclass(frozen=True)
class Spec:
    """What one crafted trace holds, to compute expected answers independently."""

    index: int
    trace_id: str
    start: datetime
    duration_ms: float
    service: str
    model: str
    error: bool
    cost: float | None
    tokens: int | None
    user: str
    session: str
    tenant: str
    prompt: str
    answer: str
    child_name: str


def build_specs() -> list[Spec]:
    specs = []
    for i in range(NUM_TRACES):
        specs.append(
            Spec(
                index=i,
                trace_id=f"{i + 1:032x}",
                # Two traces share each start time: ties in every sort key.
                start=T0 + timedelta(minutes=i // 2),
                duration_ms=100.0 * (i % 5 + 1),
                service="svc-a" if i % 2 else "svc-b",
                model="gpt-4o" if i % 3 == 0 else "claude-3",
                error=i % 7 == 0,
                cost=None if i % 4 == 0 else 0.01 * (i % 4),
                tokens=None if i % 6 == 5 else 10 * (i % 3),
                user=f"user-{i % 3}",
                session=f"s-{i % 4}",
                tenant="acme" if i % 2 == 0 else "globex",
                prompt="find the NeEdLe please" if i == 7 else f"prompt {i} {i}%",
                answer={11: "an answer with needle", 12: "the best answer"}.get(i, f"answer {i}"),
                child_name="needle_tool" if i == 13 else f"chat {i}",
            )
        )
    return specs


SPECS = build_specs()


def spans_of(spec: Spec) -> list[SpanRecord]:
    root_id = f"{spec.index + 1:016x}"
    offset = (spec.start - T0).total_seconds() * 1000.0
    return [
        make_span(
            trace_id=spec.trace_id,
            span_id=root_id,
            name=f"root {spec.index}",
            offset_ms=offset,
            duration_ms=spec.duration_ms,
            service_name=spec.service,
            user_id=spec.user,
            session_id=spec.session,
            status="ok",
        ),
        make_span(
            trace_id=spec.trace_id,
            span_id=f"{spec.index + 1000:016x}",
            parent_span_id=root_id,
            name=spec.child_name,
            offset_ms=offset + 10,
            duration_ms=50,
            span_type="llm",
            service_name=spec.service,
            model=spec.model,
            status="error" if spec.error else "ok",
            cost_usd=spec.cost,
            input_tokens=None if spec.tokens is None else spec.tokens - 1,
            output_tokens=None if spec.tokens is None else 1,
            total_tokens=spec.tokens,
            user_id=spec.user,
            session_id=spec.session,
            metadata={"tenant": spec.tenant},
            input_text=spec.prompt,
            output_text=spec.answer,
        ),
    ]


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """One store per backend holding the crafted traces, shared by the module's tests."""
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path_factory.mktemp('traces') / 'llmobs.duckdb'}"
    else:
        reset_postgres()
        url = POSTGRES_URL
    store = Store.open(url)
    try:
        store.write([span for spec in SPECS for span in spans_of(spec)])
        yield store
    finally:
        store.close()


def ids(store: Store, filters: TraceFilters) -> set[str]:
    with store.connect() as conn:
        page = list_traces(conn, filters, limit=500)
    assert page.next_cursor is None and page.prev_cursor is None
    return {row.trace_id for row in page.rows}


def expected(predicate: object) -> set[str]:
    assert callable(predicate)
    return {spec.trace_id for spec in SPECS if predicate(spec)}


CASES = {
    "none": (TraceFilters(), lambda s: True),
    "since": (TraceFilters(since=T0 + timedelta(minutes=5)), lambda s: s.index >= 10),
    "until": (TraceFilters(until=T0 + timedelta(minutes=5)), lambda s: s.index < 10),
    "model": (TraceFilters(model="gpt-4o"), lambda s: s.model == "gpt-4o"),
    "error": (TraceFilters(status="error"), lambda s: s.error),
    "ok": (TraceFilters(status="ok"), lambda s: not s.error),
    "service": (TraceFilters(service="svc-a"), lambda s: s.service == "svc-a"),
    "user": (TraceFilters(user_id="user-1"), lambda s: s.user == "user-1"),
    "session": (TraceFilters(session_id="s-2"), lambda s: s.session == "s-2"),
    "tenant": (TraceFilters(tenant="globex"), lambda s: s.tenant == "globex"),
    # Case-insensitive, in the prompt (7), the answer (11) or a span name (13).
    "text": (TraceFilters(text="needle"), lambda s: s.index in (7, 11, 13)),
    # LIKE wildcards in the search text match themselves only.
    "text_percent": (TraceFilters(text="1%"), lambda s: s.index in (1, 11, 21)),
    "text_underscore": (TraceFilters(text="e_t"), lambda s: s.index == 13),  # not "best" (12)
    "min_duration": (TraceFilters(min_duration_ms=400), lambda s: s.duration_ms >= 400),
    "min_cost": (TraceFilters(min_cost_usd=0.02), lambda s: (s.cost or 0) >= 0.02),
    "combined": (
        TraceFilters(model="claude-3", service="svc-b", since=T0 + timedelta(minutes=3)),
        lambda s: s.model == "claude-3" and s.service == "svc-b" and s.index >= 6,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_filter_selects_the_matching_traces(seeded: Store, case: str) -> None:
    filters, predicate = CASES[case]
    want = expected(predicate)
    assert want, "every case must select something"
    if case != "none":
        assert want != expected(lambda s: True), "and leave something out"
    assert ids(seeded, filters) == want


def test_rows_carry_the_summary_and_the_models_used(seeded: Store) -> None:
    with seeded.connect() as conn:
        rows = {row.trace_id: row for row in list_traces(conn, limit=500).rows}
    for spec in SPECS:
        row = rows[spec.trace_id]
        assert row.name == f"root {spec.index}"
        assert row.service_name == spec.service
        assert row.start_time == spec.start
        assert row.duration_ms == pytest.approx(spec.duration_ms)
        assert (row.num_spans, row.num_llm_spans) == (2, 1)
        assert row.status == ("error" if spec.error else "ok")
        assert row.models == (spec.model,)
        assert row.total_tokens == spec.tokens
        assert row.cost_usd == (None if spec.cost is None else pytest.approx(spec.cost))
        assert (row.user_id, row.session_id) == (spec.user, spec.session)


def sort_key(spec: Spec, sort: TraceSort) -> float:
    if sort is TraceSort.START:
        return spec.start.timestamp()
    if sort is TraceSort.DURATION:
        return spec.duration_ms
    if sort is TraceSort.COST:
        return -1.0 if spec.cost is None else spec.cost
    return -1 if spec.tokens is None else spec.tokens


@pytest.mark.parametrize("descending", [True, False], ids=["desc", "asc"])
@pytest.mark.parametrize("sort", list(TraceSort))
def test_pages_cover_every_trace_once_in_order(
    seeded: Store, sort: TraceSort, descending: bool
) -> None:
    want = [
        spec.trace_id
        for spec in sorted(
            SPECS,
            key=lambda s: (round(sort_key(s, sort), 9), s.trace_id),
            reverse=descending,
        )
    ]
    pages: list[list[str]] = []
    cursors: list[str | None] = []
    cursor = None
    with seeded.connect() as conn:
        while True:
            page = list_traces(conn, sort=sort, descending=descending, limit=7, cursor=cursor)
            assert (page.prev_cursor is None) == (cursor is None)
            pages.append([row.trace_id for row in page.rows])
            cursors.append(page.prev_cursor)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert [trace_id for page_ids in pages for trace_id in page_ids] == want
        assert [len(p) for p in pages] == [7, 7, 7, 7, 2]
        # Walking back with prev cursors gives the same pages.
        back = cursors[-1]
        for index in range(len(pages) - 2, -1, -1):
            page = list_traces(conn, sort=sort, descending=descending, limit=7, cursor=back)
            assert [row.trace_id for row in page.rows] == pages[index]
            assert page.next_cursor is not None
            back = page.prev_cursor
        assert back is None


def test_a_filtered_walk_stays_filtered(seeded: Store) -> None:
    filters = TraceFilters(model="claude-3")
    seen: list[str] = []
    cursor = None
    with seeded.connect() as conn:
        while True:
            page = list_traces(conn, filters, sort=TraceSort.COST, limit=4, cursor=cursor)
            seen.extend(row.trace_id for row in page.rows)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert sorted(seen) == sorted(expected(lambda s: s.model == "claude-3"))
    assert len(seen) == len(set(seen))


def test_altered_cursors_are_refused_clearly(seeded: Store) -> None:
    with seeded.connect() as conn:
        cursor = list_traces(conn, limit=5).next_cursor
        assert cursor is not None
        body, _, check = cursor.partition(".")
        flipped = ("A" if body[3] != "A" else "B").join((body[:3], body[4:]))
        for bad in (f"{flipped}.{check}", cursor[:-2], "garbage", "", f"{body}.{check[::-1]}"):
            with pytest.raises(InvalidCursor, match="invalid page cursor"):
                list_traces(conn, cursor=bad)
        # A cursor of one sort is refused by another, with the reason.
        with pytest.raises(InvalidCursor, match="sort changed"):
            list_traces(conn, sort=TraceSort.COST, cursor=cursor)
        with pytest.raises(InvalidCursor, match="sort changed"):
            list_traces(conn, descending=False, cursor=cursor)
        # A well-formed cursor whose key has the wrong type for the sort.
        forged = PageCursor("traces:start:desc", key="not a time", row_id="x").encode()
        with pytest.raises(InvalidCursor, match="does not fit the sort"):
            list_traces(conn, cursor=forged)


def test_invalid_status_is_refused() -> None:
    with pytest.raises(ValueError, match="status must be one of"):
        TraceFilters(status="broken")


def test_the_statement_renders_as_sql_that_gives_the_same_page(seeded: Store) -> None:
    filters = TraceFilters(model="gpt-4o", text="prompt", min_duration_ms=100)
    with seeded.connect() as conn:
        page = list_traces(conn, filters, sort=TraceSort.DURATION, limit=3)
        sql = render_sql(
            trace_list_statement(filters, sort=TraceSort.DURATION, limit=3), conn.dialect
        )
        # Through the driver without parameters, as the SQL console runs it ('%' stays '%').
        cursor = conn.connection.cursor()
        cursor.execute(sql)
        rows = cursor.fetchall()
    assert "gpt-4o" in sql
    assert [row[0] for row in rows][:3] == [row.trace_id for row in page.rows]
