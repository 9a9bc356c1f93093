"""The ``logs`` table: structured LLM log entries and OTLP log records, tied to traces."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Double, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from llmobs_store.db.base import Base, time_index
from llmobs_store.db.sequences import id_column
from llmobs_store.db.spans import SPAN_ID, TRACE_ID
from llmobs_store.db.types import UtcDateTime, json_type


class Log(Base):
    """One log entry: the seed's ``LLMLogEntry`` fields plus the OTLP log record's."""

    __tablename__ = "logs"
    __table_args__ = (
        time_index("ix_logs_time", "time"),
        Index("ix_logs_trace_id", "trace_id"),
        {"comment": "Log entries from the logging API, the SDK and OTLP log exporters."},
    )

    id: Mapped[int] = id_column("logs_id_seq")
    time: Mapped[datetime] = mapped_column(UtcDateTime, comment="When the event happened, UTC.")
    observed_time: Mapped[datetime | None] = mapped_column(
        UtcDateTime, comment="When the collector first saw it (OTLP observed time), UTC."
    )
    level: Mapped[str] = mapped_column(
        String(10), comment="debug, info, warning, error or critical (normalised)."
    )
    severity_number: Mapped[int | None] = mapped_column(
        Integer, comment="OTLP severity number 1-24; NULL when unspecified."
    )
    severity_text: Mapped[str | None] = mapped_column(Text, comment="Severity text as sent.")
    message: Mapped[str] = mapped_column(Text, comment="Log message (the body as text).")
    body: Mapped[Any | None] = mapped_column(
        json_type(), comment="Structured body when it was not a plain string, JSON."
    )
    event_name: Mapped[str | None] = mapped_column(
        Text, comment="Event name, e.g. gen_ai.client.inference.operation.details."
    )
    logger_name: Mapped[str | None] = mapped_column(
        Text, comment="Logger or instrumentation scope name."
    )
    service_name: Mapped[str | None] = mapped_column(Text, comment="Resource service.name.")
    trace_id: Mapped[str | None] = mapped_column(TRACE_ID, comment="Correlated trace id.")
    span_id: Mapped[str | None] = mapped_column(SPAN_ID, comment="Correlated span id.")
    model: Mapped[str | None] = mapped_column(Text, comment="Model the entry is about.")
    provider: Mapped[str | None] = mapped_column(Text, comment="Model provider.")
    input_tokens: Mapped[int | None] = mapped_column(BigInteger, comment="Prompt tokens.")
    output_tokens: Mapped[int | None] = mapped_column(BigInteger, comment="Completion tokens.")
    latency_ms: Mapped[float | None] = mapped_column(Double, comment="Latency in milliseconds.")
    cost_usd: Mapped[float | None] = mapped_column(Double, comment="Cost in USD, as logged.")
    error_type: Mapped[str | None] = mapped_column(Text, comment="Exception class name.")
    error_message: Mapped[str | None] = mapped_column(Text, comment="Exception message.")
    attributes: Mapped[dict[str, Any] | None] = mapped_column(
        json_type(), comment="Every other attribute, JSON."
    )
    resource_attributes: Mapped[dict[str, Any] | None] = mapped_column(
        json_type(), comment="Resource attributes, JSON."
    )
