"""Price overrides in ``model_prices``, added in one place for the web UI and other callers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Table, insert

from llmobs_store.db.models import ModelPrice
from llmobs_store.store import Store

MODEL_PRICES: Table = ModelPrice.__table__  # type: ignore[assignment]
# An override without a start time applies to every span, old ones included.
EVERY_SPAN = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class NewPrice:
    """An override to add, in USD per million tokens (cache prices default to the input one).

    >>> add_price_override(store, NewPrice("acme-llm-7b", 0.40, 1.20))   # doctest: +SKIP
    3
    """

    model: str
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    cache_read_usd_per_mtok: float | None = None
    cache_write_usd_per_mtok: float | None = None
    provider: str | None = None
    effective_from: datetime = EVERY_SPAN
    note: str | None = None

    def check(self) -> None:
        """Raise ``ValueError`` naming the first field that cannot be stored."""
        if not self.model.strip():
            raise ValueError("model: give the model name as stored in spans.model")
        prices = {
            "input price": self.input_usd_per_mtok,
            "output price": self.output_usd_per_mtok,
            "cache read price": self.cache_read_usd_per_mtok,
            "cache write price": self.cache_write_usd_per_mtok,
        }
        for label, value in prices.items():
            if value is not None and (not math.isfinite(value) or value < 0):
                raise ValueError(f"{label}: a number of USD per million tokens, 0 or more")
        if self.effective_from.tzinfo is None:
            raise ValueError("effective_from: give a time zone (UTC)")


def add_price_override(store: Store, price: NewPrice, *, now: datetime | None = None) -> int:
    """Store ``price`` and make the store's pricer use it; returns the override's id.

    Spans already stored keep their cost until ``recompute_costs`` runs.
    """
    price.check()
    with store.engine.begin() as conn:
        override_id: int = conn.execute(
            insert(MODEL_PRICES)
            .values(
                model=price.model.strip(),
                provider=(price.provider or "").strip() or None,
                effective_from=price.effective_from,
                input_usd_per_mtok=price.input_usd_per_mtok,
                output_usd_per_mtok=price.output_usd_per_mtok,
                cache_read_usd_per_mtok=price.cache_read_usd_per_mtok,
                cache_write_usd_per_mtok=price.cache_write_usd_per_mtok,
                note=(price.note or "").strip() or None,
                created_at=now or datetime.now(UTC),
            )
            .returning(MODEL_PRICES.c.id)
        ).scalar_one()
    store.reload_prices()
    return override_id
