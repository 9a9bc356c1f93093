"""Request bodies of the JSON API (the seed guide's shapes), validated strictly by pydantic."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Body(BaseModel):
    # Strict: "5" is not a number and 5 is not a string; unknown fields are ignored.
    model_config = ConfigDict(strict=True, extra="ignore")


class TraceStart(_Body):
    """``POST /v1/traces``."""

    name: str = Field(min_length=1, max_length=2_000)
    attributes: dict[str, Any] | None = None
    service_name: str | None = None


class SpanStart(_Body):
    """``POST /v1/spans``."""

    trace_id: str
    name: str = Field(min_length=1, max_length=2_000)
    attributes: dict[str, Any] | None = None
    parent_span_id: str | None = None
    kind: Literal["internal", "server", "client", "producer", "consumer"] = "internal"


class SpanEnd(_Body):
    """Optional body of ``PUT /v1/spans/<span_id>``."""

    attributes: dict[str, Any] | None = None
    status_message: str | None = None


class RequestMetric(_Body):
    """``POST /v1/metrics``: one LLM request, as ``LLMMetrics.record_request`` takes it."""

    model: str = Field(min_length=1)
    latency_seconds: float = Field(ge=0)
    input_tokens: int = Field(ge=0)
    output_tokens: int = Field(ge=0)
    cost_usd: float = Field(ge=0)
    success: bool = True
    ttft_seconds: float | None = Field(default=None, ge=0)
    provider: str | None = None
    cache_hit: bool | None = None
    trace_id: str | None = None
    span_id: str | None = None
    attributes: dict[str, Any] | None = None


class LogEntry(_Body):
    """``POST /v1/logs``: the seed's log entry; attributes are kept (the seed dropped them)."""

    level: Literal["debug", "info", "warning", "error", "critical"]
    message: str
    model: str | None = None
    provider: str | None = None
    trace_id: str | None = None
    span_id: str | None = None
    input_tokens: int | None = Field(default=None, ge=0)
    output_tokens: int | None = Field(default=None, ge=0)
    latency_ms: float | None = Field(default=None, ge=0)
    cost_usd: float | None = Field(default=None, ge=0)
    error_type: str | None = None
    error_message: str | None = None
    attributes: dict[str, Any] | None = None

    @field_validator("level", mode="before")
    @classmethod
    def _lower_level(cls, value: object) -> object:
        # Logging libraries spell levels INFO, Warning, WARN: all mean the same level.
        if isinstance(value, str):
            lowered = value.strip().lower()
            return {"warn": "warning", "fatal": "critical"}.get(lowered, lowered)
        return value
