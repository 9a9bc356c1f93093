"""Price overrides added through the library are stored, checked and used by the store."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from llmobs_store.ingest.price_overrides import EVERY_SPAN, NewPrice, add_price_override
from llmobs_store.store import Store


def test_an_override_is_stored_and_the_pricer_reloaded(store: Store) -> None:
    override_id = add_price_override(
        store, NewPrice(" acme-llm-7b ", 0.4, 1.2, provider=" ", note="negotiated")
    )
    (override,) = store.price_overrides
    assert override.id == override_id
    assert (override.model, override.provider) == ("acme-llm-7b", None)
    assert (override.input_usd_per_mtok, override.output_usd_per_mtok) == (0.4, 1.2)
    assert override.effective_from == EVERY_SPAN
    later = datetime(2026, 2, 1, tzinfo=UTC)
    add_price_override(store, NewPrice("acme-llm-7b", 0.5, 1.5, effective_from=later))
    assert [o.effective_from for o in store.price_overrides] == [EVERY_SPAN, later]


@pytest.mark.parametrize(
    ("price", "problem"),
    [
        (NewPrice("", 1, 1), "model"),
        (NewPrice("m", -1, 1), "input price"),
        (NewPrice("m", 1, math.inf), "output price"),
        (NewPrice("m", 1, 1, cache_read_usd_per_mtok=math.nan), "cache read price"),
        (NewPrice("m", 1, 1, effective_from=datetime(2026, 1, 1)), "effective_from"),
    ],
)
def test_bad_prices_are_refused(store: Store, price: NewPrice, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        add_price_override(store, price)
    assert store.price_overrides == ()
