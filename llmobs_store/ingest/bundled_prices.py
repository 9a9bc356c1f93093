"""The bundled genai-prices data: model lookup by name and provider, per-token rates."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import genai_prices
from genai_prices import Usage
from genai_prices.data_snapshot import get_snapshot
from genai_prices.types import ModelInfo, ModelPrice

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


@dataclass(frozen=True, slots=True)
class Rates:
    """USD per token of each usage bucket (leaf counts), plus any per-request price."""

    fixed: Decimal
    input: Decimal
    cache_read: Decimal
    cache_write: Decimal
    output: Decimal
    reasoning: Decimal


def probe_rates(model_price: ModelPrice, input_tokens: int) -> Rates:
    """Per-token rates of ``model_price`` within the tier band of ``input_tokens``.

    Within a band genai-prices' price is affine in the leaf counts, so a few calls at the same
    input count give every rate exactly (Decimal). Probing at the span's own input count keeps
    each probe inside the span's band.
    """
    n = input_tokens
    fixed = calc_total_price(model_price, 0, 0, 0, 0, 0)
    at_n = calc_total_price(model_price, n, 0, 0, 0, 0)
    return Rates(
        fixed=fixed,
        input=(at_n - fixed) / n,
        cache_read=(calc_total_price(model_price, n, 0, n, 0, 0) - fixed) / n,
        cache_write=(calc_total_price(model_price, n, 0, 0, n, 0) - fixed) / n,
        output=(calc_total_price(model_price, n, n, 0, 0, 0) - at_n) / n,
        reasoning=(calc_total_price(model_price, n, n, 0, 0, n) - at_n) / n,
    )


def calc_total_price(
    model_price: ModelPrice,
    input_tokens: int,
    output_tokens: int,
    cache_read: int,
    cache_write: int,
    reasoning: int,
) -> Decimal:
    """genai-prices' total USD for these leaf counts (one ``calc_price`` call)."""
    usage = Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        output_reasoning_tokens=reasoning,
    )
    return model_price.calc_price(usage)["total_price"]


def find_model(model_ref: str, provider: str | None) -> ModelInfo | None:
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
