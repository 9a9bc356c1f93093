"""``Store``: raw spans go through normalisation and pricing, with the database's overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from llmobs_store.db.models import ModelPrice
from llmobs_store.ingest.records import RawSpan
from llmobs_store.store import Store
from tests.factories import make_raw_chat_span

START = datetime(2026, 3, 1, tzinfo=UTC)


def _llm_span(model: str) -> RawSpan:
    return make_raw_chat_span(model, start=START, input_tokens=1_000_000, output_tokens=1_000_000)


def _costs(store: Store) -> dict[str, tuple[float | None, str | None]]:
    with store.connect() as conn:
        rows = conn.execute(text("SELECT model, cost_usd, cost_source FROM spans")).all()
    return {r.model: (r.cost_usd, r.cost_source) for r in rows}


def test_raw_spans_are_normalised_and_priced(store: Store) -> None:
    store.submit_spans([_llm_span("gpt-4o-mini"), _llm_span("acme-llm-7b")]).result(10)
    costs = _costs(store)
    # gpt-4o-mini: $0.15 per million input tokens and $0.60 per million output tokens.
    cost, source = costs["gpt-4o-mini"]
    assert cost is not None and abs(cost - 0.75) < 1e-9
    assert source is not None and source.startswith("genai-prices")
    assert costs["acme-llm-7b"] == (None, None)


def test_overrides_in_the_database_apply_after_reload(store: Store) -> None:
    with Session(store.engine) as session:
        session.add(
            ModelPrice(
                model="acme-llm-7b",
                effective_from=START - timedelta(days=1),
                input_usd_per_mtok=1.0,
                output_usd_per_mtok=2.0,
                created_at=START,
            )
        )
        session.commit()
    store.reload_prices()
    store.submit_spans([_llm_span("acme-llm-7b")]).result(10)
    cost, source = _costs(store)["acme-llm-7b"]
    assert cost == 3.0
    assert source is not None and source.startswith("override ")
