"""Span cost in USD from token counts: bundled genai-prices data, overridden by model_prices."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

import genai_prices
from genai_prices import Usage
from genai_prices.data_snapshot import get_snapshot
from genai_prices.types import ModelInfo, ModelPrice, TieredPrices

if TYPE_CHECKING:
    from sqlalchemy import Connection

GENAI_PRICES_SOURCE = f"genai-prices {genai_prices.__version__}"

# Our provider names (GenAI semconv, OpenInference, OpenLLMetry spellings) → genai-prices ids.
# Names missing here are passed through; genai-prices matches many itself ("gcp.gemini" → google).
_PROVIDER_IDS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "gcp.gemini": "google",
    "gcp.vertex_ai": "google",
    "gcp.gen_ai": "google",
    "google": "google",
    "vertexai": "google",
    "gemini": "google",
    "aws.bedrock": "aws",
    "aws": "aws",
    "bedrock": "aws",
    "azure.ai.openai": "azure",
    "az.ai.openai": "azure",
    "azure.ai.inference": "azure",
    "azure": "azure",
    "mistral_ai": "mistral",
    "mistralai": "mistral",
    "mistral": "mistral",
    "x_ai": "x-ai",
    "xai": "x-ai",
    "together_ai": "together",
    "groq": "groq",
    "cohere": "cohere",
    "deepseek": "deepseek",
    "perplexity": "perplexity",
}
_MTOK = 1_000_000


class PricedSpan(Protocol):
    """What pricing reads from a span (a ``SpanRecord`` or the column path's values)."""

    @property
    def start_time(self) -> datetime: ...
    @property
    def provider(self) -> str | None: ...
    @property
    def model(self) -> str | None: ...
    @property
    def request_model(self) -> str | None: ...
    @property
    def response_model(self) -> str | None: ...
    @property
    def input_tokens(self) -> int | None: ...
    @property
    def output_tokens(self) -> int | None: ...
    @property
    def cache_read_tokens(self) -> int | None: ...
    @property
    def cache_write_tokens(self) -> int | None: ...
    @property
    def reasoning_tokens(self) -> int | None: ...


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
            effective_from=_as_utc(row.effective_from),
            input_usd_per_mtok=row.input_usd_per_mtok,
            output_usd_per_mtok=row.output_usd_per_mtok,
            cache_read_usd_per_mtok=row.cache_read_usd_per_mtok,
            cache_write_usd_per_mtok=row.cache_write_usd_per_mtok,
        )
        for row in rows
    ]


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
                (_as_utc(override.effective_from), override)
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
        self._rates: dict[tuple[int, int], tuple[ModelPrice, _Rates]] = {}
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
        start = _as_utc(span.start_time)
        for name in _model_names(span):
            for effective_from, override in self._overrides.get(name, ()):
                if effective_from <= start and override.provider in (None, span.provider):
                    return override
        return None

    def _model_info(self, span: PricedSpan) -> ModelInfo | None:
        for name in _model_names(span):
            key = (name, span.provider)
            if key not in self._models:
                self._models[key] = _find_model(name, span.provider)
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
            return float(_calc(model_price, 0, output_tokens, 0, 0, reasoning))
        key = (id(model_price), self._tier_band(model_price, input_tokens))
        cached = self._rates.get(key)
        if cached is None:
            cached = self._rates[key] = (model_price, _probe_rates(model_price, input_tokens))
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


@dataclass(frozen=True, slots=True)
class _Rates:
    """USD per token of each usage bucket (leaf counts), plus any per-request price."""

    fixed: Decimal
    input: Decimal
    cache_read: Decimal
    cache_write: Decimal
    output: Decimal
    reasoning: Decimal


def _probe_rates(model_price: ModelPrice, input_tokens: int) -> _Rates:
    """Per-token rates of ``model_price`` within the tier band of ``input_tokens``.

    Within a band genai-prices' price is affine in the leaf counts, so a few calls at the same
    input count give every rate exactly (Decimal). Probing at the span's own input count keeps
    each probe inside the span's band.
    """
    n = input_tokens
    fixed = _calc(model_price, 0, 0, 0, 0, 0)
    at_n = _calc(model_price, n, 0, 0, 0, 0)
    return _Rates(
        fixed=fixed,
        input=(at_n - fixed) / n,
        cache_read=(_calc(model_price, n, 0, n, 0, 0) - fixed) / n,
        cache_write=(_calc(model_price, n, 0, 0, n, 0) - fixed) / n,
        output=(_calc(model_price, n, n, 0, 0, 0) - at_n) / n,
        reasoning=(_calc(model_price, n, n, 0, 0, n) - at_n) / n,
    )


def _calc(
    model_price: ModelPrice,
    input_tokens: int,
    output_tokens: int,
    cache_read: int,
    cache_write: int,
    reasoning: int,
) -> Decimal:
    usage = Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        output_reasoning_tokens=reasoning,
    )
    return model_price.calc_price(usage)["total_price"]


def _model_names(span: PricedSpan) -> list[str]:
    """Model names to price by: the response model, then the requested one."""
    names = [n for n in (span.model, span.response_model, span.request_model) if n]
    return list(dict.fromkeys(names))


def _as_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime (naive read as UTC), as ``db.types.as_utc`` does;
    repeated here so that pricing needs nothing of the database layer."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _find_model(model_ref: str, provider: str | None) -> ModelInfo | None:
    """genai-prices' model for ``model_ref``: under the span's provider when it knows it, else
    matched on the model name alone (a provider it lacks the model for, like Azure, falls back)."""
    snapshot = get_snapshot()
    provider_id = _PROVIDER_IDS.get(provider.lower(), provider) if provider else None
    for candidate in (provider_id, None) if provider_id else (None,):
        try:
            return snapshot.find_provider_model(model_ref, None, candidate, None)[1]
        except LookupError:
            continue
    return None
