"""Span cost in USD from token counts: bundled genai-prices data, overridden by model_prices."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import datetime

from genai_prices.types import ModelInfo, ModelPrice, TieredPrices

from llmobs_store.ingest.bundled_prices import (
    GENAI_PRICES_SOURCE,
    Rates,
    calc_total_price,
    find_model,
    probe_rates,
)
from llmobs_store.ingest.override_rates import PriceOverride
from llmobs_store.ingest.priced_span import PricedSpan, as_utc, model_names


class Pricer:
    """Prices spans; unknown models stay unpriced (None), never $0.

    >>> pricer = Pricer(load_overrides(conn))                            # doctest: +SKIP
    >>> pricer.price(span)
    (0.0001542, 'genai-prices 0.2.3')

    genai-prices' ``calc_price`` takes ~55 µs a call, so results are not computed per span:
    the model lookup is cached per (model, provider) and, for each price set the data holds,
    per-token rates are derived once (from genai-prices itself) and applied to each span.
    """

    def __init__(self, overrides: Sequence[PriceOverride] = ()) -> None:
        by_model: dict[str, list[tuple[datetime, PriceOverride]]] = {}
        for override in overrides:
            by_model.setdefault(override.model, []).append(
                (as_utc(override.effective_from), override)
            )
        # Newest first; on equal start a provider-specific row beats a provider-wide one.
        self._overrides = {
            model: sorted(
                rows, key=lambda r: (r[0], r[1].provider is not None, r[1].id), reverse=True
            )
            for model, rows in by_model.items()
        }
        # The caches are filled without a lock: two threads racing only compute a value twice.
        self._models: dict[tuple[str, str | None], ModelInfo | None] = {}
        # Keyed by id(): ModelPrice is unhashable. The values hold the object, so ids stay unique.
        self._rates: dict[tuple[int, int], tuple[ModelPrice, Rates]] = {}
        self._tier_starts: dict[int, tuple[ModelPrice, list[int]]] = {}

    def price(self, span: PricedSpan) -> tuple[float | None, str | None]:
        """``(cost_usd, cost_source)`` for ``span``, or ``(None, None)`` when unpriced."""
        if span.input_tokens is None and span.output_tokens is None:
            return None, None
        override = self._override_for(span)
        if override is not None:
            cost = override.cost(span)
            return (None, None) if cost is None else (cost, f"override {override.id}")
        model = self._model_info(span)
        if model is None:
            return None, None
        try:
            cost = self._bundled_cost(model, span)
        except ValueError:  # genai-prices rejects usage it finds inconsistent
            return None, None
        return (None, None) if cost is None else (cost, GENAI_PRICES_SOURCE)

    def _override_for(self, span: PricedSpan) -> PriceOverride | None:
        if not self._overrides:
            return None
        start = as_utc(span.start_time)
        for name in model_names(span):
            for effective_from, override in self._overrides.get(name, ()):
                if effective_from <= start and override.provider in (None, span.provider):
                    return override
        return None

    def _model_info(self, span: PricedSpan) -> ModelInfo | None:
        for name in model_names(span):
            key = (name, span.provider)
            if key not in self._models:
                self._models[key] = find_model(name, span.provider)
            if (found := self._models[key]) is not None:
                return found
        return None

    def _bundled_cost(self, model: ModelInfo, span: PricedSpan) -> float | None:
        input_tokens = span.input_tokens or 0
        output_tokens = span.output_tokens or 0
        cache_read = span.cache_read_tokens or 0
        cache_write = span.cache_write_tokens or 0
        # Reasoning tokens are part of output_tokens (semconv); genai-prices 0.2.3 treats them
        # as a sub-count of output, split out only for models with a reasoning price, so they
        # are never counted twice. More reasoning than output means the producer counted them
        # apart (Gemini's candidates vs thoughts): add them back, as the provider bills them.
        reasoning = span.reasoning_tokens or 0
        if reasoning > output_tokens:
            output_tokens += reasoning
        uncached = input_tokens - cache_read - cache_write
        if uncached < 0:
            return None  # genai-prices rejects cache counts beyond the input count
        model_price = model.get_prices(span.start_time)
        if input_tokens == 0:  # output-only usage: no probe point inside its tier band; rare
            return float(calc_total_price(model_price, 0, output_tokens, 0, 0, reasoning))
        key = (id(model_price), self._tier_band(model_price, input_tokens))
        cached = self._rates.get(key)
        if cached is None:
            cached = self._rates[key] = (model_price, probe_rates(model_price, input_tokens))
        rates = cached[1]
        usd = (
            rates.fixed
            + rates.input * uncached
            + rates.cache_read * cache_read
            + rates.cache_write * cache_write
            + rates.output * (output_tokens - reasoning)
            + rates.reasoning * reasoning
        )
        return float(usd)

    def _tier_band(self, model_price: ModelPrice, input_tokens: int) -> int:
        """How many tier thresholds ``input_tokens`` crosses (0 for untiered prices)."""
        cached = self._tier_starts.get(id(model_price))
        if cached is None:
            found = {
                tier.start
                for value in vars(model_price).values()
                if isinstance(value, TieredPrices)
                for tier in value.tiers
            }
            cached = self._tier_starts[id(model_price)] = (model_price, sorted(found))
        starts = cached[1]
        # genai-prices applies a tier when total input > start.
        return bisect_left(starts, input_tokens) if starts else 0
