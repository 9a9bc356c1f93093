"""Price overrides as read from ``model_prices``, and a span's cost at their rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from llmobs_store.ingest.priced_span import PricedSpan, as_utc

if TYPE_CHECKING:
    from sqlalchemy import Connection

_MTOK = 1_000_000


@dataclass(frozen=True, slots=True)
class PriceOverride:
    """A row of ``model_prices``: USD per million tokens for ``model`` from ``effective_from`` on.

    >>> PriceOverride(id=1, model="gpt-4o-mini", provider=None,       # doctest: +SKIP
    ...               effective_from=datetime(2025, 1, 1, tzinfo=UTC),
    ...               input_usd_per_mtok=0.15, output_usd_per_mtok=0.60)
    """

    id: int
    model: str
    provider: str | None
    effective_from: datetime
    input_usd_per_mtok: float
    output_usd_per_mtok: float
    cache_read_usd_per_mtok: float | None = None
    cache_write_usd_per_mtok: float | None = None

    def cost(self, span: PricedSpan) -> float | None:
        """USD for the span's tokens; cache tokens (inside input) at their own or the input rate."""
        cache_read = span.cache_read_tokens or 0
        cache_write = span.cache_write_tokens or 0
        uncached = (span.input_tokens or 0) - cache_read - cache_write
        if uncached < 0:  # cache counts beyond the input count: inconsistent, leave unpriced
            return None
        read_rate = self.cache_read_usd_per_mtok
        write_rate = self.cache_write_usd_per_mtok
        usd = (
            uncached * self.input_usd_per_mtok
            + cache_read * (self.input_usd_per_mtok if read_rate is None else read_rate)
            + cache_write * (self.input_usd_per_mtok if write_rate is None else write_rate)
            + (span.output_tokens or 0) * self.output_usd_per_mtok
        )
        return usd / _MTOK


def load_overrides(conn: Connection) -> list[PriceOverride]:
    """Every row of ``model_prices``, oldest first."""
    # Imported here: the worker processes that price spans never load SQLAlchemy (~35 MiB).
    from sqlalchemy import select

    from llmobs_store.db.reference import ModelPrice as ModelPriceRow

    t = ModelPriceRow.__table__
    rows = conn.execute(select(t).order_by(t.c.effective_from, t.c.id))
    return [
        PriceOverride(
            id=row.id,
            model=row.model,
            provider=row.provider,
            effective_from=as_utc(row.effective_from),
            input_usd_per_mtok=row.input_usd_per_mtok,
            output_usd_per_mtok=row.output_usd_per_mtok,
            cache_read_usd_per_mtok=row.cache_read_usd_per_mtok,
            cache_write_usd_per_mtok=row.cache_write_usd_per_mtok,
        )
        for row in rows
    ]
