"""The demo's workload model: services, models, tenants, users and how traffic varies in time."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from dataclasses import dataclass
from functools import cache

from genai_prices import Usage, calc_price

US_PER_S = 1_000_000
US_PER_HOUR = 3_600 * US_PER_S


@dataclass(frozen=True)
class ModelProfile:
    """One model as an app calls it: names, provider and how fast it answers."""

    request_model: str
    response_model: str  # dated names, as the real APIs answer
    provider: str  # OpenTelemetry gen_ai.provider.name
    server_address: str
    scope_name: str  # the instrumentation library that would report it
    ttft_median_s: float
    tokens_per_s: float
    cache_read_share: float = 0.0  # share of calls served partly from the provider's cache
    cache_write_share: float = 0.0  # share of calls that write the cache (anthropic only)
    reasoning: bool = False


_OPENAI = ("api.openai.com", "opentelemetry.instrumentation.openai_v2")
_ANTHROPIC = ("api.anthropic.com", "opentelemetry.instrumentation.anthropic")
MODELS: dict[str, ModelProfile] = {
    m.request_model: m
    for m in (
        ModelProfile("gpt-4o-mini", "gpt-4o-mini-2024-07-18", "openai", *_OPENAI, 0.35, 90, 0.35),
        ModelProfile("gpt-4o", "gpt-4o-2024-08-06", "openai", *_OPENAI, 0.5, 60, 0.35),
        ModelProfile("o3-mini", "o3-mini-2025-01-31", "openai", *_OPENAI, 0.4, 140, 0.2, 0, True),
        ModelProfile(
            "claude-3-5-sonnet-20241022",
            "claude-3-5-sonnet-20241022",
            "anthropic",
            *_ANTHROPIC,
            0.7,
            55,
            0.45,
            0.1,
        ),
        ModelProfile(
            "claude-3-5-haiku-20241022",
            "claude-3-5-haiku-20241022",
            "anthropic",
            *_ANTHROPIC,
            0.4,
            100,
            0.45,
            0.1,
        ),
        ModelProfile(
            "gemini-1.5-flash",
            "gemini-1.5-flash-002",
            "gcp.gemini",
            "generativelanguage.googleapis.com",
            "opentelemetry.instrumentation.google_genai",
            0.3,
            160,
            0.1,
        ),
        ModelProfile(
            "mistral-large-latest",
            "mistral-large-2411",
            "mistral_ai",
            "api.mistral.ai",
            "opentelemetry.instrumentation.mistralai",
            0.5,
            45,
        ),
        # Self-hosted behind an OpenAI-compatible server; genai-prices has no price for it.
        ModelProfile("acme-llm-7b", "acme-llm-7b", "vllm", "vllm.internal", _OPENAI[1], 0.15, 70),
    )
}
EMBEDDING_MODEL = ModelProfile(
    "text-embedding-3-small", "text-embedding-3-small", "openai", *_OPENAI, 0.12, 0
)


@dataclass(frozen=True)
class ServiceProfile:
    """One app of the demo: its traffic share, trace shapes and the models it calls."""

    name: str
    version_before: str
    version_after: str  # deployed part-way through the window
    weight: float
    feature: str  # metadata.feature
    route: str  # root span name
    root_kind: str
    workflow: str
    shapes: dict[str, float]  # trace shape -> weight
    models: dict[str, float]  # request model -> weight
    stream_share: float
    temperature: float
    max_tokens: int
    cache_lookup: bool = False  # consults an app-level semantic cache first


SERVICES: tuple[ServiceProfile, ...] = (
    ServiceProfile(
        "support-bot",
        "2.14.0",
        "2.15.0",
        0.5,
        "chat",
        "POST /v1/answer",
        "server",
        "answer",
        {"agent": 0.5, "rag_tool": 0.3, "single": 0.2},
        {
            "gpt-4o-mini": 0.3,
            "gpt-4o": 0.18,
            "claude-3-5-sonnet-20241022": 0.25,
            "claude-3-5-haiku-20241022": 0.1,
            "o3-mini": 0.1,
            "mistral-large-latest": 0.07,
        },
        0.8,
        0.3,
        1024,
    ),  # fmt: skip
    ServiceProfile(
        "search-api",
        "1.8.3",
        "1.9.0",
        0.35,
        "search",
        "POST /v1/search",
        "server",
        "search",
        {"rag_embed": 0.7, "rag": 0.3},
        {
            "gpt-4o-mini": 0.35,
            "gemini-1.5-flash": 0.3,
            "claude-3-5-haiku-20241022": 0.2,
            "mistral-large-latest": 0.1,
            "acme-llm-7b": 0.05,
        },
        0.5,
        0.0,
        2048,
        cache_lookup=True,
    ),  # fmt: skip
    ServiceProfile(
        "summariser",
        "0.9.2",
        "0.9.2",
        0.15,
        "summarise",
        "summarise_document",
        "consumer",
        "summarise",
        {"single": 0.7, "map_reduce": 0.3},
        {
            "claude-3-5-haiku-20241022": 0.3,
            "gemini-1.5-flash": 0.3,
            "gpt-4o-mini": 0.2,
            "acme-llm-7b": 0.1,
            "claude-3-5-sonnet-20241022": 0.1,
        },
        0.0,
        0.2,
        4096,
    ),  # fmt: skip
)

TENANTS: dict[str, float] = {
    "acme": 0.35,
    "globex": 0.25,
    "initech": 0.18,
    "umbrella": 0.14,
    "hooli": 0.08,
}
NUM_USERS = 400


@dataclass(frozen=True)
class User:
    """An end user of the apps; each belongs to one tenant."""

    user_id: str
    tenant: str


class UserPool:
    """A few hundred users whose activity follows a Zipf-like law (a few are very busy)."""

    def __init__(self, rng: random.Random, num_users: int = NUM_USERS) -> None:
        names, weights = list(TENANTS), list(TENANTS.values())
        self.users = [
            User(f"user-{k + 1:04d}", rng.choices(names, weights)[0]) for k in range(num_users)
        ]
        self._cum = list(itertools.accumulate(1.0 / (k + 1) ** 1.1 for k in range(num_users)))

    def pick(self, rng: random.Random) -> User:
        """A user, the busiest ones most often."""
        return rng.choices(self.users, cum_weights=self._cum)[0]


@dataclass(frozen=True)
class ErrorKind:
    """A way a call fails: what the instrumentation records and how long the call took."""

    error_type: str  # error.type: short exception name
    exception_type: str  # exception.type: fully qualified
    message: str
    duration_s: float | None  # fixed duration (a client timeout); None = fails fast


LLM_ERRORS: dict[str, tuple[ErrorKind, ...]] = {
    "openai": (
        ErrorKind(
            "RateLimitError",
            "openai.RateLimitError",
            "Error code: 429 - {'error': {'message': 'Rate limit reached for requests', "
            "'type': 'requests', 'code': 'rate_limit_exceeded'}}",
            None,
        ),
        ErrorKind("APITimeoutError", "openai.APITimeoutError", "Request timed out.", 30.0),
        ErrorKind("APIConnectionError", "openai.APIConnectionError", "Connection error.", None),
        ErrorKind(
            "InternalServerError",
            "openai.InternalServerError",
            "Error code: 500 - {'error': {'message': 'The server had an error while processing "
            "your request. Sorry about that!', 'type': 'server_error'}}",
            None,
        ),
    ),
    "anthropic": (
        ErrorKind(
            "RateLimitError",
            "anthropic.RateLimitError",
            "Error code: 429 - {'type': 'error', 'error': {'type': 'rate_limit_error', "
            "'message': 'Number of request tokens has exceeded your per-minute rate limit'}}",
            None,
        ),
        ErrorKind(
            "OverloadedError",
            "anthropic.InternalServerError",
            "Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', "
            "'message': 'Overloaded'}}",
            None,
        ),
        ErrorKind("APITimeoutError", "anthropic.APITimeoutError", "Request timed out.", 30.0),
    ),
    "gcp.gemini": (
        ErrorKind(
            "ResourceExhausted",
            "google.api_core.exceptions.ResourceExhausted",
            "429 Resource has been exhausted (e.g. check quota).",
            None,
        ),
        ErrorKind(
            "ServiceUnavailable",
            "google.api_core.exceptions.ServiceUnavailable",
            "503 The model is overloaded. Please try again later.",
            None,
        ),
    ),
    "mistral_ai": (
        ErrorKind(
            "SDKError",
            "mistralai.models.sdkerror.SDKError",
            'API error occurred: Status 429 {"message":"Requests rate limit exceeded"}',
            None,
        ),
        ErrorKind("TimeoutException", "httpx.ReadTimeout", "The read operation timed out", 30.0),
    ),
    "vllm": (
        ErrorKind("APIConnectionError", "openai.APIConnectionError", "Connection error.", None),
        ErrorKind("APITimeoutError", "openai.APITimeoutError", "Request timed out.", 30.0),
    ),
}
TOOL_ERRORS: tuple[ErrorKind, ...] = (
    ErrorKind("TimeoutError", "TimeoutError", "tool call exceeded its 10s deadline", 10.0),
    ErrorKind("HTTPError", "requests.exceptions.HTTPError", "502 Server Error: Bad Gateway", None),
)
LLM_ERROR_SHARE = 0.026
TOOL_ERROR_SHARE = 0.03


@dataclass(frozen=True)
class Incident:
    """A stretch of time when one provider misbehaves, so dashboards and alerts have a story."""

    provider: str
    start_us: int
    end_us: int
    error_share: float
    latency_factor: float

    def covers(self, provider: str, t_us: int) -> bool:
        """True when a call to ``provider`` at ``t_us`` falls inside the incident."""
        return provider == self.provider and self.start_us <= t_us < self.end_us


def incidents(start_us: int, end_us: int) -> tuple[Incident, ...]:
    """An anthropic rate-limit storm and a slow OpenAI afternoon, placed inside the window."""
    span = end_us - start_us

    def at(frac: float) -> int:
        return start_us + int(span * frac) // US_PER_HOUR * US_PER_HOUR

    return (
        Incident("anthropic", at(0.62), at(0.62) + 2 * US_PER_HOUR, 0.3, 1.0),
        Incident("openai", at(0.3), at(0.3) + 3 * US_PER_HOUR, LLM_ERROR_SHARE, 2.5),
    )


def hourly_rate(t_us: int) -> float:
    """Relative traffic at ``t_us``: busy in (UTC) working hours, quieter at weekends."""
    hour = (t_us / US_PER_HOUR) % 24
    weekday = (t_us // (24 * US_PER_HOUR) + 3) % 7  # 1970-01-01 was a Thursday (3)
    daily = 0.12 + math.exp(-(((hour - 13.5) / 4.0) ** 2))
    return daily * (0.4 if weekday >= 5 else 1.0)


class Timeline:
    """Maps a fraction of the traffic to a time: equal fractions cover equal traffic."""

    def __init__(self, start_us: int, end_us: int) -> None:
        self.start_us, self.end_us = start_us, end_us
        self._edges = list(range(start_us, end_us, US_PER_HOUR)) + [end_us]
        weights = [hourly_rate(a) * (b - a) for a, b in itertools.pairwise(self._edges)]
        total = sum(weights) or 1.0
        self._cum = [0.0, *itertools.accumulate(w / total for w in weights)]

    def time_at(self, frac: float) -> int:
        """The time by which ``frac`` (0..1) of the window's traffic has arrived."""
        i = min(max(bisect.bisect_right(self._cum, frac) - 1, 0), len(self._edges) - 2)
        lo, hi = self._cum[i], self._cum[i + 1]
        within = (frac - lo) / (hi - lo) if hi > lo else 0.0
        a, b = self._edges[i], self._edges[i + 1]
        return a + int(within * (b - a))


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    """A lognormal draw given its median (latencies and token counts are long-tailed)."""
    return median * math.exp(rng.gauss(0.0, sigma))


@dataclass(frozen=True)
class Rates:
    """USD per token by kind, read from genai-prices once per model."""

    input: float
    cache_read: float
    cache_write: float
    output: float

    def cost(self, num_in: int, num_out: int, cache_read: int, cache_write: int) -> float:
        """Cost of one call; ``num_in`` includes the cache tokens, as semconv counts them."""
        uncached = num_in - cache_read - cache_write
        return (
            uncached * self.input
            + cache_read * self.cache_read
            + cache_write * self.cache_write
            + num_out * self.output
        )


@cache
def price_rates(response_model: str) -> Rates | None:
    """Per-token rates from genai-prices, or None for a model it does not know.

    Prices here are linear, which holds for the demo's models below their long-context tiers
    (gemini-1.5-flash doubles above 128k tokens; demo prompts stay far below). A thousand
    tokens per probe keeps every probe in the base tier.
    """

    def usd(**tokens: int) -> float:
        return float(calc_price(Usage(**tokens), model_ref=response_model).total_price) / 1000

    try:
        base = usd(input_tokens=1000)
    except LookupError:
        return None
    return Rates(
        input=base,
        cache_read=usd(input_tokens=1000, cache_read_tokens=1000),
        cache_write=usd(input_tokens=1000, cache_write_tokens=1000),
        output=usd(output_tokens=1000),
    )
