"""What the demo apps are made of: their services, the models they call, and how calls fail."""

from __future__ import annotations

from dataclasses import dataclass


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
    cache_read_share: float = 0.0  # share of long prompts served partly from the provider cache
    cache_write_share: float = 0.0  # share of calls that write the cache (anthropic)
    reasoning: bool = False


_OPENAI_HOST = "api.openai.com"
_OPENAI_SCOPE = "opentelemetry.instrumentation.openai_v2"
_ANTHROPIC_HOST = "api.anthropic.com"
_ANTHROPIC_SCOPE = "opentelemetry.instrumentation.anthropic"

MODELS: dict[str, ModelProfile] = {
    m.request_model: m
    for m in (
        ModelProfile(
            "gpt-4o-mini",
            "gpt-4o-mini-2024-07-18",
            "openai",
            _OPENAI_HOST,
            _OPENAI_SCOPE,
            ttft_median_s=0.35,
            tokens_per_s=90,
            cache_read_share=0.35,
        ),
        ModelProfile(
            "gpt-4o",
            "gpt-4o-2024-08-06",
            "openai",
            _OPENAI_HOST,
            _OPENAI_SCOPE,
            ttft_median_s=0.5,
            tokens_per_s=60,
            cache_read_share=0.35,
        ),
        ModelProfile(
            "o3-mini",
            "o3-mini-2025-01-31",
            "openai",
            _OPENAI_HOST,
            _OPENAI_SCOPE,
            ttft_median_s=0.4,
            tokens_per_s=140,
            cache_read_share=0.2,
            reasoning=True,
        ),
        ModelProfile(
            "claude-3-5-sonnet-20241022",
            "claude-3-5-sonnet-20241022",
            "anthropic",
            _ANTHROPIC_HOST,
            _ANTHROPIC_SCOPE,
            ttft_median_s=0.7,
            tokens_per_s=55,
            cache_read_share=0.45,
            cache_write_share=0.1,
        ),
        ModelProfile(
            "claude-3-5-haiku-20241022",
            "claude-3-5-haiku-20241022",
            "anthropic",
            _ANTHROPIC_HOST,
            _ANTHROPIC_SCOPE,
            ttft_median_s=0.4,
            tokens_per_s=100,
            cache_read_share=0.45,
            cache_write_share=0.1,
        ),
        ModelProfile(
            "gemini-1.5-flash",
            "gemini-1.5-flash-002",
            "gcp.gemini",
            "generativelanguage.googleapis.com",
            "opentelemetry.instrumentation.google_genai",
            ttft_median_s=0.3,
            tokens_per_s=160,
            cache_read_share=0.1,
        ),
        ModelProfile(
            "mistral-large-latest",
            "mistral-large-2411",
            "mistral_ai",
            "api.mistral.ai",
            "opentelemetry.instrumentation.mistralai",
            ttft_median_s=0.5,
            tokens_per_s=45,
        ),
        # Self-hosted behind an OpenAI-compatible server: genai-prices has no price for it.
        ModelProfile(
            "acme-llm-7b",
            "acme-llm-7b",
            "vllm",
            "vllm.internal",
            _OPENAI_SCOPE,
            ttft_median_s=0.15,
            tokens_per_s=70,
        ),
    )
}
# An embedding call does not stream: its "ttft" median is the whole call's median duration.
EMBEDDING_MODEL = ModelProfile(
    "text-embedding-3-small",
    "text-embedding-3-small",
    "openai",
    _OPENAI_HOST,
    _OPENAI_SCOPE,
    ttft_median_s=0.12,
    tokens_per_s=0,
)


@dataclass(frozen=True)
class ServiceProfile:
    """One app of the demo: its traffic share, trace shapes and the models it calls."""

    name: str
    versions: tuple[str, str]  # before and after a deployment part-way through the window
    weight: float
    feature: str  # metadata.feature
    route: str  # root span name
    root_kind: str
    shapes: dict[str, float]  # trace shape -> weight
    models: dict[str, float]  # request model -> weight
    stream_share: float
    temperature: float
    max_tokens: int
    data_source: str
    cache_lookup: bool = False  # consults an app-level semantic cache before calling a model


SERVICES: tuple[ServiceProfile, ...] = (
    ServiceProfile(
        "support-bot",
        ("2.14.0", "2.15.0"),
        weight=0.5,
        feature="chat",
        route="POST /v1/answer",
        root_kind="server",
        shapes={"agent": 0.5, "rag_tool": 0.3, "single": 0.2},
        models={
            "gpt-4o-mini": 0.3,
            "gpt-4o": 0.18,
            "claude-3-5-sonnet-20241022": 0.25,
            "claude-3-5-haiku-20241022": 0.1,
            "o3-mini": 0.1,
            "mistral-large-latest": 0.07,
        },
        stream_share=0.8,
        temperature=0.3,
        max_tokens=1024,
        data_source="kb-support",
    ),
    ServiceProfile(
        "search-api",
        ("1.8.3", "1.9.0"),
        weight=0.35,
        feature="search",
        route="POST /v1/search",
        root_kind="server",
        shapes={"rag_embed": 0.7, "rag": 0.3},
        models={
            "gpt-4o-mini": 0.35,
            "gemini-1.5-flash": 0.3,
            "claude-3-5-haiku-20241022": 0.2,
            "mistral-large-latest": 0.1,
            "acme-llm-7b": 0.05,
        },
        stream_share=0.5,
        temperature=0.0,
        max_tokens=2048,
        data_source="docs-index",
        cache_lookup=True,
    ),
    ServiceProfile(
        "summariser",
        ("0.9.2", "0.9.2"),
        weight=0.15,
        feature="summarise",
        route="summarise_document",
        root_kind="consumer",
        shapes={"single_summary": 0.7, "map_reduce": 0.3},
        models={
            "claude-3-5-haiku-20241022": 0.3,
            "gemini-1.5-flash": 0.3,
            "gpt-4o-mini": 0.2,
            "acme-llm-7b": 0.1,
            "claude-3-5-sonnet-20241022": 0.1,
        },
        stream_share=0.0,
        temperature=0.2,
        max_tokens=4096,
        data_source="documents",
    ),
)


@dataclass(frozen=True)
class ErrorKind:
    """A way a call fails: what the instrumentation records and how long the call took."""

    error_type: str  # error.type: the short exception name
    exception_type: str  # exception.type: fully qualified
    message: str
    duration_s: float | None = None  # a client timeout; None = the call fails fast


_OPENAI_TIMEOUT = ErrorKind("APITimeoutError", "openai.APITimeoutError", "Request timed out.", 30)
_OPENAI_CONNECTION = ErrorKind(
    "APIConnectionError", "openai.APIConnectionError", "Connection error."
)
LLM_ERRORS: dict[str, tuple[ErrorKind, ...]] = {
    "openai": (
        ErrorKind(
            "RateLimitError",
            "openai.RateLimitError",
            "Error code: 429 - {'error': {'message': 'Rate limit reached for requests', "
            "'type': 'requests', 'code': 'rate_limit_exceeded'}}",
        ),
        ErrorKind(
            "InternalServerError",
            "openai.InternalServerError",
            "Error code: 500 - {'error': {'message': 'The server had an error while processing "
            "your request. Sorry about that!', 'type': 'server_error'}}",
        ),
        _OPENAI_TIMEOUT,
        _OPENAI_CONNECTION,
    ),
    "anthropic": (
        ErrorKind(
            "RateLimitError",
            "anthropic.RateLimitError",
            "Error code: 429 - {'type': 'error', 'error': {'type': 'rate_limit_error', "
            "'message': 'Number of request tokens has exceeded your per-minute rate limit'}}",
        ),
        ErrorKind(
            "OverloadedError",
            "anthropic.InternalServerError",
            "Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', "
            "'message': 'Overloaded'}}",
        ),
        ErrorKind("APITimeoutError", "anthropic.APITimeoutError", "Request timed out.", 30),
    ),
    "gcp.gemini": (
        ErrorKind(
            "ResourceExhausted",
            "google.api_core.exceptions.ResourceExhausted",
            "429 Resource has been exhausted (e.g. check quota).",
        ),
        ErrorKind(
            "ServiceUnavailable",
            "google.api_core.exceptions.ServiceUnavailable",
            "503 The model is overloaded. Please try again later.",
        ),
    ),
    "mistral_ai": (
        ErrorKind(
            "SDKError",
            "mistralai.models.sdkerror.SDKError",
            'API error occurred: Status 429 {"message":"Requests rate limit exceeded"}',
        ),
        ErrorKind("ReadTimeout", "httpx.ReadTimeout", "The read operation timed out", 30),
    ),
    "vllm": (_OPENAI_CONNECTION, _OPENAI_TIMEOUT),
}
TOOL_ERRORS: tuple[ErrorKind, ...] = (
    ErrorKind("TimeoutError", "TimeoutError", "tool call exceeded its 10s deadline", 10),
    ErrorKind("HTTPError", "requests.exceptions.HTTPError", "502 Server Error: Bad Gateway"),
)
# Before retries: ~2.6% of chat calls fail, so ~3% with the incident below on top.
LLM_ERROR_SHARE = 0.026
TOOL_ERROR_SHARE = 0.03
