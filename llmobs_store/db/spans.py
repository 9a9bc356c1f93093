"""The ``spans`` table (one row per finished span) and the ``traces`` summary kept beside it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Double, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from llmobs_store.db.base import Base, time_index
from llmobs_store.db.compression import ZSTD
from llmobs_store.db.types import UtcDateTime, json_type

TRACE_ID = String(32)
SPAN_ID = String(16)


class Span(Base):
    """One finished span. Column names are a public API: users query them directly."""

    __tablename__ = "spans"
    __table_args__ = (
        # DuckDB: an ART index turns a trace lookup at 10M rows from ~100 ms into ~4 ms.
        # Uniqueness of (trace_id, span_id) is kept by the single batch writer there, because
        # a composite primary key costs ~200 bytes a row and halves the insert rate.
        Index("ix_spans_trace_id", "trace_id").ddl_if(dialect="duckdb"),
        # PostgreSQL: several collector processes may write at once, so the database enforces
        # uniqueness itself; the same index serves lookups by trace_id.
        Index("ux_spans_trace_id_span_id", "trace_id", "span_id", unique=True).ddl_if(
            dialect="postgresql"
        ),
        {"comment": "One row per finished span (OTLP, JSON API or SDK)."},
    )
    # The mapper's identity; the table itself carries no primary-key constraint (see above).
    __mapper_args__ = {"primary_key": ["trace_id", "span_id"]}

    trace_id: Mapped[str] = mapped_column(
        TRACE_ID, comment="W3C trace id: 32 lowercase hex characters."
    )
    span_id: Mapped[str] = mapped_column(SPAN_ID, comment="Span id: 16 lowercase hex characters.")
    parent_span_id: Mapped[str | None] = mapped_column(
        SPAN_ID, comment="Parent span id; NULL for a root span."
    )
    name: Mapped[str] = mapped_column(Text, comment="Span name, e.g. 'chat gpt-4o-mini'.")
    kind: Mapped[str] = mapped_column(
        String(16), comment="OpenTelemetry span kind: internal, server, client, producer, consumer."
    )
    span_type: Mapped[str] = mapped_column(
        String(16),
        comment="Role of the span: llm, embedding, retrieval, tool, agent, chain or other.",
    )
    status: Mapped[str] = mapped_column(String(8), comment="ok, error or unset.")
    status_message: Mapped[str | None] = mapped_column(
        Text, comment="Status description sent with an error status."
    )
    error_type: Mapped[str | None] = mapped_column(
        Text, comment="Error class from error.type or the exception event, when the span failed."
    )
    start_time: Mapped[datetime] = mapped_column(UtcDateTime, comment="Start, UTC.")
    end_time: Mapped[datetime] = mapped_column(UtcDateTime, comment="End, UTC.")
    duration_ms: Mapped[float] = mapped_column(
        Double, comment="end_time - start_time in milliseconds, stored once at ingest."
    )
    service_name: Mapped[str | None] = mapped_column(
        Text, comment="Resource attribute service.name of the emitting process."
    )
    scope_name: Mapped[str | None] = mapped_column(
        Text, comment="Instrumentation scope (library) that produced the span."
    )
    provider: Mapped[str | None] = mapped_column(
        Text, comment="Model provider, e.g. openai, anthropic, aws.bedrock."
    )
    operation: Mapped[str | None] = mapped_column(
        Text, comment="GenAI operation, e.g. chat, embeddings, execute_tool."
    )
    model: Mapped[str | None] = mapped_column(
        Text, comment="Grouping model: response_model if reported, else request_model."
    )
    request_model: Mapped[str | None] = mapped_column(Text, comment="Model the caller asked for.")
    response_model: Mapped[str | None] = mapped_column(
        Text, comment="Model the provider says answered."
    )
    input_tokens: Mapped[int | None] = mapped_column(
        BigInteger,
        comment="Prompt tokens including cache reads and writes; NULL when not reported.",
    )
    output_tokens: Mapped[int | None] = mapped_column(
        BigInteger, comment="Completion tokens including reasoning; NULL when not reported."
    )
    total_tokens: Mapped[int | None] = mapped_column(
        BigInteger, comment="input_tokens + output_tokens, or the total the client reported."
    )
    cache_read_tokens: Mapped[int | None] = mapped_column(
        BigInteger, comment="Part of input_tokens read from the provider's prompt cache."
    )
    cache_write_tokens: Mapped[int | None] = mapped_column(
        BigInteger, comment="Part of input_tokens written to the provider's prompt cache."
    )
    reasoning_tokens: Mapped[int | None] = mapped_column(
        BigInteger, comment="Part of output_tokens spent on reasoning."
    )
    cost_usd: Mapped[float | None] = mapped_column(
        Double, comment="Cost computed by llmobs in USD; NULL means unpriced, never free."
    )
    cost_source: Mapped[str | None] = mapped_column(
        Text, comment="What priced the span: 'genai-prices <version>' or 'override <id>'."
    )
    reported_cost_usd: Mapped[float | None] = mapped_column(
        Double, comment="Cost the client itself reported (gen_ai.usage.cost, llm.cost.total)."
    )
    ttft_ms: Mapped[float | None] = mapped_column(
        Double, comment="Time to first token in milliseconds, when derivable."
    )
    session_id: Mapped[str | None] = mapped_column(
        Text, comment="Conversation or session id (gen_ai.conversation.id, session.id)."
    )
    user_id: Mapped[str | None] = mapped_column(
        Text, comment="End user id (user.id, gen_ai.request.user)."
    )
    input_text: Mapped[str | None] = mapped_column(
        Text,
        info=ZSTD,
        comment="Captured prompt after truncation and redaction; NULL when not captured.",
    )
    output_text: Mapped[str | None] = mapped_column(
        Text,
        info=ZSTD,
        comment="Captured answer after truncation and redaction; NULL when not captured.",
    )
    attributes: Mapped[dict[str, Any]] = mapped_column(
        json_type(), info=ZSTD, comment="Every span attribute as sent, as a JSON object."
    )
    events: Mapped[list[Any] | None] = mapped_column(
        json_type(), info=ZSTD, comment="Span events [{name, time, attributes}], JSON."
    )
    links: Mapped[list[Any] | None] = mapped_column(
        json_type(), comment="Span links [{trace_id, span_id, attributes}], JSON."
    )
    resource_attributes: Mapped[dict[str, Any] | None] = mapped_column(
        json_type(), comment="Resource attributes of the emitting process, JSON."
    )
    metadata_: Mapped[dict[str, Any] | None] = mapped_column(
        "metadata",
        json_type(),
        comment="User labels such as tenant or feature (metadata.* attributes), JSON.",
    )


class Trace(Base):
    """Per-trace summary, merged by the writer as spans arrive, so trace lists stay fast."""

    __tablename__ = "traces"
    __table_args__ = (
        time_index("ix_traces_start_time", "start_time"),
        {"comment": "One row per trace, summarising its stored spans."},
    )

    trace_id: Mapped[str] = mapped_column(TRACE_ID, primary_key=True, comment="W3C trace id.")
    root_span_id: Mapped[str | None] = mapped_column(
        SPAN_ID, comment="Span id of the root span; NULL until the root arrives."
    )
    name: Mapped[str | None] = mapped_column(
        Text, comment="Root span name; NULL until the root span arrives."
    )
    service_name: Mapped[str | None] = mapped_column(Text, comment="service.name of the root.")
    start_time: Mapped[datetime] = mapped_column(UtcDateTime, comment="Earliest span start, UTC.")
    end_time: Mapped[datetime] = mapped_column(UtcDateTime, comment="Latest span end, UTC.")
    duration_ms: Mapped[float] = mapped_column(
        Double, comment="end_time - start_time in milliseconds."
    )
    num_spans: Mapped[int] = mapped_column(BigInteger, comment="Spans stored for the trace.")
    num_errors: Mapped[int] = mapped_column(BigInteger, comment="Spans with status error.")
    num_llm_spans: Mapped[int] = mapped_column(BigInteger, comment="Spans of span_type llm.")
    input_tokens: Mapped[int | None] = mapped_column(
        BigInteger, comment="Sum of input_tokens; NULL when no span reported any."
    )
    output_tokens: Mapped[int | None] = mapped_column(
        BigInteger, comment="Sum of output_tokens; NULL when no span reported any."
    )
    total_tokens: Mapped[int | None] = mapped_column(
        BigInteger, comment="Sum of total_tokens; NULL when no span reported any."
    )
    cost_usd: Mapped[float | None] = mapped_column(
        Double, comment="Sum of priced cost_usd; NULL when no span was priced."
    )
    num_unpriced: Mapped[int] = mapped_column(
        BigInteger, comment="LLM spans with tokens but no cost_usd (unknown model price)."
    )
    session_id: Mapped[str | None] = mapped_column(Text, comment="A session id seen in the trace.")
    user_id: Mapped[str | None] = mapped_column(Text, comment="A user id seen in the trace.")
