"""``recompute_costs``: stored spans re-priced after an override, traces summary kept in step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, delete, insert, select, text

from llmobs_store.db.models import ModelPrice
from llmobs_store.ids import new_span_id, new_trace_id
from llmobs_store.ingest.records import RawSpan
from llmobs_store.ingest.repricing import SPANS, RepricingResult, recompute_costs
from llmobs_store.ingest.trace_summary import TRACES, summary_rows
from llmobs_store.store import Store
from tests.factories import make_span

JAN = datetime(2026, 1, 10, tzinfo=UTC)
MAR = datetime(2026, 3, 10, tzinfo=UTC)
MTOK = 1_000_000
MODEL_PRICES: Table = ModelPrice.__table__  # type: ignore[assignment]


def llm_span(
    model: str, trace_id: str, start: datetime, *, parent: str | None = None, tokens: int = MTOK
) -> RawSpan:
    return RawSpan(
        trace_id=trace_id,
        span_id=new_span_id(),
        parent_span_id=parent,
        name=f"chat {model}",
        start_time=start,
        end_time=start + timedelta(seconds=1),
        kind="client",
        attributes={
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": model,
            "gen_ai.usage.input_tokens": tokens,
            "gen_ai.usage.output_tokens": tokens,
        },
    )


def root_span(trace_id: str, span_id: str, start: datetime) -> RawSpan:
    return RawSpan(
        trace_id=trace_id,
        span_id=span_id,
        name="answer",
        start_time=start,
        end_time=start + timedelta(seconds=2),
    )


def add_override(store: Store, model: str, input_usd: float, output_usd: float) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            insert(MODEL_PRICES).values(
                model=model,
                effective_from=datetime(2025, 1, 1, tzinfo=UTC),
                input_usd_per_mtok=input_usd,
                output_usd_per_mtok=output_usd,
                created_at=JAN,
            )
        )


def traces(store: Store) -> dict[str, tuple[Any, ...]]:
    t = TRACES.c
    with store.connect() as conn:
        rows = conn.execute(select(t.trace_id, t.cost_usd, t.num_unpriced, t.num_spans)).all()
    return {r.trace_id: (r.cost_usd, r.num_unpriced, r.num_spans) for r in rows}


def assert_summary_matches_spans(store: Store) -> None:
    """The summary's cost columns equal a fresh aggregation over every stored span."""
    fresh = summary_rows(SPANS)
    with store.connect() as conn:
        expected = {r.trace_id: (r.cost_usd, r.num_unpriced) for r in conn.execute(fresh)}
    got = {k: (v[0], v[1]) for k, v in traces(store).items()}
    assert got.keys() == expected.keys()
    for trace_id, (cost, unpriced) in expected.items():
        assert got[trace_id][1] == unpriced
        assert got[trace_id][0] == (None if cost is None else pytest.approx(cost))


@pytest.fixture
def stored(store: Store) -> dict[str, str]:
    """Two traces in March (one mixed, one all unknown model) and one in January."""
    mixed, unknown, old = new_trace_id(), new_trace_id(), new_trace_id()
    root = new_span_id()
    store.submit_spans(
        [
            root_span(mixed, root, MAR),
            llm_span("gpt-4o-mini", mixed, MAR, parent=root),
            llm_span("acme-llm-7b", mixed, MAR, parent=root),
            llm_span("acme-llm-7b", unknown, MAR),
            llm_span("acme-llm-7b", unknown, MAR, tokens=2 * MTOK),
            llm_span("acme-llm-7b", old, JAN),
        ]
    ).result(10)
    return {"mixed": mixed, "unknown": unknown, "old": old}


def test_unpriced_spans_get_priced_and_traces_follow(store: Store, stored: dict[str, str]) -> None:
    before = traces(store)
    assert before[stored["mixed"]] == (pytest.approx(0.75), 1, 3)
    assert before[stored["unknown"]] == (None, 2, 2)
    add_override(store, "acme-llm-7b", 1.0, 2.0)

    result = recompute_costs(store)

    # 1 M in + 1 M out at $1 / $2 is $3; the 2 M span costs $6.
    assert (result.num_checked, result.num_changed) == (5, 4)
    assert result.cost_delta_usd == pytest.approx(3 + 3 + 6 + 3)
    with store.connect() as conn:
        priced = conn.execute(
            text("SELECT cost_usd, cost_source FROM spans WHERE model = 'acme-llm-7b'")
        ).all()
    assert sorted(r.cost_usd for r in priced) == [3.0, 3.0, 3.0, 6.0]
    assert {r.cost_source for r in priced} == {"override 1"}
    after = traces(store)
    assert after[stored["mixed"]] == (pytest.approx(3.75), 0, 3)
    assert after[stored["unknown"]] == (pytest.approx(9.0), 0, 2)
    assert after[stored["old"]] == (pytest.approx(3.0), 0, 1)
    assert_summary_matches_spans(store)


def test_a_second_run_changes_nothing(store: Store, stored: dict[str, str]) -> None:
    add_override(store, "acme-llm-7b", 1.0, 2.0)
    recompute_costs(store, batch_size=2)  # several batches, some traces split between them
    before = traces(store)
    assert recompute_costs(store) == RepricingResult(5, 0, 0.0)
    assert traces(store) == before
    assert_summary_matches_spans(store)


def test_since_leaves_older_spans_alone(store: Store, stored: dict[str, str]) -> None:
    add_override(store, "acme-llm-7b", 1.0, 2.0)
    result = recompute_costs(store, since=datetime(2026, 2, 1, tzinfo=UTC))
    assert (result.num_checked, result.num_changed) == (4, 3)
    after = traces(store)
    assert after[stored["old"]] == (None, 1, 1)
    assert after[stored["unknown"]] == (pytest.approx(9.0), 0, 2)
    assert_summary_matches_spans(store)


def test_a_changed_override_reprices_and_a_removed_one_unprices(
    store: Store, stored: dict[str, str]
) -> None:
    add_override(store, "acme-llm-7b", 1.0, 2.0)
    recompute_costs(store)
    add_override(store, "acme-llm-7b", 0.5, 1.0)  # newer row wins
    result = recompute_costs(store)
    assert (result.num_checked, result.num_changed) == (5, 4)
    assert result.cost_delta_usd == pytest.approx(-15 / 2)
    with store.engine.begin() as conn:
        conn.execute(delete(MODEL_PRICES))
    result = recompute_costs(store)
    assert result.num_changed == 4
    assert result.cost_delta_usd == pytest.approx(-15 / 2)
    assert traces(store)[stored["unknown"]] == (None, 2, 2)
    assert_summary_matches_spans(store)


def test_the_store_prices_new_spans_with_the_same_overrides(
    store: Store, stored: dict[str, str]
) -> None:
    add_override(store, "acme-llm-7b", 1.0, 2.0)
    recompute_costs(store)
    store.submit_spans([llm_span("acme-llm-7b", new_trace_id(), MAR)]).result(10)
    assert recompute_costs(store).num_changed == 0


def test_costs_not_computed_by_llmobs_are_kept(store: Store) -> None:
    # A row written directly with its own cost (no cost_source) is the writer's to keep.
    span = make_span(
        span_type="llm", model="acme-llm-7b", input_tokens=10, output_tokens=10, cost_usd=0.5
    )
    store.write([span])
    add_override(store, "acme-llm-7b", 1.0, 2.0)
    assert recompute_costs(store) == RepricingResult(0, 0, 0.0)
    with store.connect() as conn:
        assert conn.execute(text("SELECT cost_usd FROM spans")).scalar_one() == 0.5
