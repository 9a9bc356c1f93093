"""Span cost in USD from token counts: bundled genai-prices data, overridden by model_prices."""

from __future__ import annotations

from llmobs_store.ingest.records import SpanRecord


class Pricer:
    """Prices spans; unknown models stay unpriced (None), never $0."""

    def price(self, span: SpanRecord) -> tuple[float | None, str | None]:
        """``(cost_usd, cost_source)`` for ``span``, or ``(None, None)`` when unpriced."""
        return None, None
