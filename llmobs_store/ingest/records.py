"""Typed rows ready to write: one frozen dataclass per table, fields named after its columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class SpanEvent:
    """A timestamped event inside a span (exception, first token, legacy prompt event…)."""

    name: str
    time: datetime
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SpanLink:
    """A link from a span to a span of another (or the same) trace."""

    trace_id: str
    span_id: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RawSpan:
    """A span as its producer described it, before normalisation into ``SpanRecord`` columns.

    Attribute values are plain Python values: str, int, float, bool, lists and dicts
    (structured OTLP AnyValues arrive as lists/dicts, JSON-string attributes stay strings).
    """

    trace_id: str
    span_id: str
    name: str
    start_time: datetime
    end_time: datetime
    parent_span_id: str | None = None
    kind: str = "internal"
    status: str = "unset"
    status_message: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    events: tuple[SpanEvent, ...] = ()
    links: tuple[SpanLink, ...] = ()
    resource_attributes: dict[str, Any] = field(default_factory=dict)
    scope_name: str | None = None


@dataclass(frozen=True, slots=True)
class SpanRecord:
    """A finished span with its canonical columns filled (see ``docs/schema.md``)."""

    table: ClassVar[str] = "spans"

    trace_id: str
    span_id: str
    name: str
    start_time: datetime
    end_time: datetime
    parent_span_id: str | None = None
    kind: str = "internal"
    span_type: str = "other"
    status: str = "unset"
    status_message: str | None = None
    error_type: str | None = None
    service_name: str | None = None
    scope_name: str | None = None
    provider: str | None = None
    operation: str | None = None
    model: str | None = None
    request_model: str | None = None
    response_model: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    cost_usd: float | None = None
    cost_source: str | None = None
    reported_cost_usd: float | None = None
    ttft_ms: float | None = None
    session_id: str | None = None
    user_id: str | None = None
    input_text: str | None = None
    output_text: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] | None = None
    links: list[dict[str, Any]] | None = None
    resource_attributes: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None

    @property
    def duration_ms(self) -> float:
        """Milliseconds between start and end (stored in the row, never recomputed by queries)."""
        return (self.end_time - self.start_time).total_seconds() * 1000.0


@dataclass(frozen=True, slots=True)
class RequestSampleRecord:
    """One LLM request as ``LLMMetrics.record_request`` reports it."""

    table: ClassVar[str] = "request_samples"

    time: datetime
    model: str
    latency_s: float
    success: bool = True
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    provider: str | None = None
    ttft_s: float | None = None
    cache_hit: bool | None = None
    service_name: str | None = None
    trace_id: str | None = None
    span_id: str | None = None
    attributes: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class MetricPointRecord:
    """One metric data point; ``series_key`` identifies its time series."""

    table: ClassVar[str] = "metric_points"

    name: str
    kind: str
    series_key: str
    time: datetime
    value: float | None = None
    temporality: str | None = None
    is_monotonic: bool | None = None
    unit: str | None = None
    description: str | None = None
    start_time: datetime | None = None
    count: int | None = None
    sum: float | None = None
    min: float | None = None
    max: float | None = None
    explicit_bounds: list[float] | None = None
    bucket_counts: list[int] | None = None
    service_name: str | None = None
    scope_name: str | None = None
    model: str | None = None
    attributes: dict[str, Any] | None = None
    resource_attributes: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One log entry: the seed's ``LLMLogEntry`` fields plus the OTLP log record's."""

    table: ClassVar[str] = "logs"

    time: datetime
    level: str
    message: str
    observed_time: datetime | None = None
    severity_number: int | None = None
    severity_text: str | None = None
    body: Any | None = None
    event_name: str | None = None
    logger_name: str | None = None
    service_name: str | None = None
    trace_id: str | None = None
    span_id: str | None = None
    model: str | None = None
    provider: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_ms: float | None = None
    cost_usd: float | None = None
    error_type: str | None = None
    error_message: str | None = None
    attributes: dict[str, Any] | None = None
    resource_attributes: dict[str, Any] | None = None


Record = SpanRecord | RequestSampleRecord | MetricPointRecord | LogRecord
