"""Metric tables: one row per recorded LLM request, and OTLP-style metric points."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Double, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from llmobs_store.db.base import Base, time_index
from llmobs_store.db.sequences import id_column
from llmobs_store.db.spans import SPAN_ID, TRACE_ID
from llmobs_store.db.types import UtcDateTime, json_type


class RequestSample(Base):
    """One LLM request as recorded by ``LLMMetrics.record_request`` or ``POST /v1/metrics``."""

    __tablename__ = "request_samples"
    __table_args__ = (
        time_index("ix_request_samples_time", "time"),
        {"comment": "One row per LLM request recorded through the metrics API or SDK."},
    )

    id: Mapped[int] = id_column("request_samples_id_seq")
    time: Mapped[datetime] = mapped_column(UtcDateTime, comment="When the request completed, UTC.")
    service_name: Mapped[str | None] = mapped_column(Text, comment="Recording service.")
    model: Mapped[str] = mapped_column(Text, comment="Model used.")
    provider: Mapped[str | None] = mapped_column(Text, comment="Model provider, when known.")
    latency_s: Mapped[float] = mapped_column(Double, comment="Request latency in seconds.")
    ttft_s: Mapped[float | None] = mapped_column(
        Double, comment="Time to first token in seconds, when streamed."
    )
    input_tokens: Mapped[int | None] = mapped_column(BigInteger, comment="Prompt tokens.")
    output_tokens: Mapped[int | None] = mapped_column(BigInteger, comment="Completion tokens.")
    cost_usd: Mapped[float | None] = mapped_column(
        Double, comment="Cost in USD as reported by the caller."
    )
    success: Mapped[bool] = mapped_column(Boolean, comment="False when the request failed.")
    cache_hit: Mapped[bool | None] = mapped_column(
        Boolean, comment="True/false when an application cache was consulted, else NULL."
    )
    trace_id: Mapped[str | None] = mapped_column(TRACE_ID, comment="Trace of the request.")
    span_id: Mapped[str | None] = mapped_column(SPAN_ID, comment="Span of the request.")
    attributes: Mapped[dict[str, Any] | None] = mapped_column(
        json_type(), comment="Extra labels, JSON."
    )


class MetricPoint(Base):
    """One data point of a named metric series (OTLP gauge, sum or histogram; SDK instruments)."""

    __tablename__ = "metric_points"
    __table_args__ = (
        time_index("ix_metric_points_name_time", "name", "time"),
        Index("ix_metric_points_series_key", "series_key"),
        {"comment": "Metric data points: gauges, sums and histograms with their own buckets."},
    )

    id: Mapped[int] = id_column("metric_points_id_seq")
    name: Mapped[str] = mapped_column(Text, comment="Metric name, e.g. gen_ai.client.token.usage.")
    kind: Mapped[str] = mapped_column(
        String(24), comment="gauge, sum, histogram, exponential_histogram or summary."
    )
    temporality: Mapped[str | None] = mapped_column(
        String(12), comment="delta or cumulative for sums and histograms; NULL for gauges."
    )
    is_monotonic: Mapped[bool | None] = mapped_column(
        Boolean, comment="For sums: true when the sum only grows (a counter)."
    )
    unit: Mapped[str | None] = mapped_column(Text, comment="Unit as sent, e.g. s or {token}.")
    description: Mapped[str | None] = mapped_column(Text, comment="Description as sent.")
    series_key: Mapped[str] = mapped_column(
        String(64),
        comment="Hash of name, kind, attributes and resource: identifies one time series.",
    )
    time: Mapped[datetime] = mapped_column(UtcDateTime, comment="Point timestamp, UTC.")
    start_time: Mapped[datetime | None] = mapped_column(
        UtcDateTime, comment="Start of the aggregation interval (cumulative and delta points)."
    )
    value: Mapped[float | None] = mapped_column(Double, comment="Gauge or sum value.")
    count: Mapped[int | None] = mapped_column(BigInteger, comment="Histogram observation count.")
    sum: Mapped[float | None] = mapped_column(Double, comment="Histogram sum of observations.")
    min: Mapped[float | None] = mapped_column(Double, comment="Histogram minimum, when sent.")
    max: Mapped[float | None] = mapped_column(Double, comment="Histogram maximum, when sent.")
    explicit_bounds: Mapped[list[float] | None] = mapped_column(
        json_type(), comment="Histogram bucket upper bounds of this point, JSON array."
    )
    bucket_counts: Mapped[list[int] | None] = mapped_column(
        json_type(), comment="Histogram counts per bucket (one more than bounds), JSON array."
    )
    service_name: Mapped[str | None] = mapped_column(Text, comment="Resource service.name.")
    scope_name: Mapped[str | None] = mapped_column(Text, comment="Instrumentation scope.")
    model: Mapped[str | None] = mapped_column(
        Text, comment="gen_ai.response.model / gen_ai.request.model label, promoted."
    )
    attributes: Mapped[dict[str, Any] | None] = mapped_column(
        json_type(), comment="Point attributes (labels), JSON."
    )
    resource_attributes: Mapped[dict[str, Any] | None] = mapped_column(
        json_type(), comment="Resource attributes, JSON."
    )
