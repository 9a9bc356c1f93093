"""Initial schema: spans, traces, request samples, metric points, logs, alerts, prices, queries.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from llmobs_store.db.compression import ZSTD

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMPTZ = sa.DateTime(timezone=True)
JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
SEQUENCES = [
    "alert_events_id_seq",
    "alert_rules_id_seq",
    "logs_id_seq",
    "metric_points_id_seq",
    "model_prices_id_seq",
    "request_samples_id_seq",
    "saved_queries_id_seq",
]
# B-tree time indexes help PostgreSQL; on DuckDB zone maps already prune time ranges and an ART
# index would only slow inserts and block later ALTERs (see llmobs_store.db.base.time_index).
POSTGRES_ONLY_INDEXES = {
    "ix_alert_events_time",
    "ix_logs_time",
    "ix_metric_points_name_time",
    "ix_request_samples_time",
    "ix_traces_start_time",
    "ux_spans_trace_id_span_id",
}
DUCKDB_ONLY_INDEXES = {"ix_spans_trace_id"}


def _wanted(index_name: str) -> bool:
    dialect = op.get_bind().dialect.name
    if index_name in POSTGRES_ONLY_INDEXES:
        return dialect == "postgresql"
    if index_name in DUCKDB_ONLY_INDEXES:
        return dialect == "duckdb"
    return True


def _create_index(name: str, table: str, columns: list[str], unique: bool = False) -> None:
    if _wanted(name):
        op.create_index(name, table, columns, unique=unique)


def _drop_index(name: str, table: str) -> None:
    if _wanted(name):
        op.drop_index(name, table_name=table)


def upgrade() -> None:
    for name in SEQUENCES:
        op.execute(sa.schema.CreateSequence(sa.Sequence(name)))
    op.create_table(
        "alert_events",
        sa.Column(
            "id",
            sa.BigInteger(),
            server_default=sa.text("nextval('alert_events_id_seq')"),
            nullable=False,
            comment="Row id drawn from a sequence.",
        ),
        sa.Column(
            "rule_id", sa.BigInteger(), nullable=False, comment="alert_rules.id of the rule."
        ),
        sa.Column(
            "rule_name", sa.Text(), nullable=False, comment="Rule name at the time of the event."
        ),
        sa.Column(
            "group_key",
            sa.Text(),
            nullable=False,
            comment="Canonical text of the group labels; '' for an ungrouped rule.",
        ),
        sa.Column(
            "labels", JSON, nullable=True, comment="Group labels, e.g. {model: gpt-4o}, JSON."
        ),
        sa.Column(
            "state", sa.String(length=10), nullable=False, comment="pending, firing or resolved."
        ),
        sa.Column(
            "severity", sa.String(length=10), nullable=False, comment="info, warning or critical."
        ),
        sa.Column("value", sa.Double(), nullable=True, comment="Measured value."),
        sa.Column("threshold", sa.Double(), nullable=True, comment="Threshold it was held to."),
        sa.Column(
            "num_samples",
            sa.BigInteger(),
            nullable=True,
            comment="Samples in the window behind the value.",
        ),
        sa.Column("message", sa.Text(), nullable=True, comment="Rendered alert message."),
        sa.Column("time", TIMESTAMPTZ, nullable=False, comment="When the transition happened."),
        sa.Column(
            "active_since",
            TIMESTAMPTZ,
            nullable=True,
            comment="When the condition first held (start of pending), UTC.",
        ),
        sa.Column(
            "notification_status",
            sa.String(length=10),
            nullable=True,
            comment="sent, failed, skipped or NULL when nothing was due.",
        ),
        sa.Column(
            "notification_attempts", sa.Integer(), nullable=True, comment="Delivery attempts made."
        ),
        sa.Column(
            "notification_error",
            sa.Text(),
            nullable=True,
            comment="Last delivery error, when delivery failed.",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_events")),
        comment="Alert history: every state change with measured value and threshold.",
    )
    _create_index("ix_alert_events_rule_id", "alert_events", ["rule_id"])
    _create_index("ix_alert_events_time", "alert_events", ["time"])
    op.create_table(
        "alert_rules",
        sa.Column(
            "id",
            sa.BigInteger(),
            server_default=sa.text("nextval('alert_rules_id_seq')"),
            nullable=False,
            comment="Row id drawn from a sequence.",
        ),
        sa.Column("name", sa.Text(), nullable=False, comment="Unique rule name."),
        sa.Column("description", sa.Text(), nullable=True, comment="What the rule watches for."),
        sa.Column(
            "enabled", sa.Boolean(), nullable=False, comment="Disabled rules are not evaluated."
        ),
        sa.Column(
            "metric",
            sa.String(length=32),
            nullable=False,
            comment="error_rate, latency_p50..p99, ttft_p95, cost_sum, token_sum, "
            "cache_hit_rate, request_count or custom_sql.",
        ),
        sa.Column(
            "query",
            sa.Text(),
            nullable=True,
            comment="For custom_sql: a read-only query returning one number per group.",
        ),
        sa.Column(
            "filters",
            JSON,
            nullable=True,
            comment="Column filters applied before measuring, JSON object.",
        ),
        sa.Column(
            "group_by",
            JSON,
            nullable=True,
            comment="Dimensions measured separately (model, user_id, attribute keys).",
        ),
        sa.Column("window_s", sa.Integer(), nullable=False, comment="Look-back window in seconds."),
        sa.Column(
            "comparator", sa.String(length=2), nullable=False, comment="One of >, >=, <, <=."
        ),
        sa.Column(
            "warning_threshold",
            sa.Double(),
            nullable=True,
            comment="Value that makes the rule a warning.",
        ),
        sa.Column(
            "critical_threshold",
            sa.Double(),
            nullable=True,
            comment="Value that makes the rule critical.",
        ),
        sa.Column(
            "severity",
            sa.String(length=10),
            nullable=False,
            comment="Severity when a single threshold applies: info, warning, critical.",
        ),
        sa.Column(
            "min_samples",
            sa.Integer(),
            nullable=False,
            comment="Fewer samples in the window than this means no verdict.",
        ),
        sa.Column(
            "for_s",
            sa.Integer(),
            nullable=False,
            comment="Seconds the condition must hold before pending becomes firing.",
        ),
        sa.Column(
            "cooldown_s",
            sa.Integer(),
            nullable=False,
            comment="Seconds before a firing alert is notified again.",
        ),
        sa.Column(
            "no_data",
            sa.String(length=10),
            nullable=False,
            comment="What no data means: ok, keep (last state) or alerting.",
        ),
        sa.Column(
            "message_template",
            sa.Text(),
            nullable=True,
            comment="Message with {value}, {threshold} and group label placeholders.",
        ),
        sa.Column(
            "notifiers",
            JSON,
            nullable=True,
            comment="Where to notify: [{type: webhook|slack|log, url}], JSON.",
        ),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False, comment="Creation time, UTC."),
        sa.Column("updated_at", TIMESTAMPTZ, nullable=False, comment="Last change, UTC."),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_rules")),
        comment="Alert rules: metric, filter, window, thresholds, notifiers.",
    )
    _create_index("ux_alert_rules_name", "alert_rules", ["name"], unique=True)
    op.create_table(
        "logs",
        sa.Column(
            "id",
            sa.BigInteger(),
            server_default=sa.text("nextval('logs_id_seq')"),
            nullable=False,
            comment="Row id drawn from a sequence.",
        ),
        sa.Column("time", TIMESTAMPTZ, nullable=False, comment="When the event happened, UTC."),
        sa.Column(
            "observed_time",
            TIMESTAMPTZ,
            nullable=True,
            comment="When the collector first saw it (OTLP observed time), UTC.",
        ),
        sa.Column(
            "level",
            sa.String(length=10),
            nullable=False,
            comment="debug, info, warning, error or critical (normalised).",
        ),
        sa.Column(
            "severity_number",
            sa.Integer(),
            nullable=True,
            comment="OTLP severity number 1-24; NULL when unspecified.",
        ),
        sa.Column("severity_text", sa.Text(), nullable=True, comment="Severity text as sent."),
        sa.Column("message", sa.Text(), nullable=False, comment="Log message (the body as text)."),
        sa.Column(
            "body",
            JSON,
            nullable=True,
            comment="Structured body when it was not a plain string, JSON.",
        ),
        sa.Column(
            "event_name",
            sa.Text(),
            nullable=True,
            comment="Event name, e.g. gen_ai.client.inference.operation.details.",
        ),
        sa.Column(
            "logger_name", sa.Text(), nullable=True, comment="Logger or instrumentation scope name."
        ),
        sa.Column("service_name", sa.Text(), nullable=True, comment="Resource service.name."),
        sa.Column("trace_id", sa.String(length=32), nullable=True, comment="Correlated trace id."),
        sa.Column("span_id", sa.String(length=16), nullable=True, comment="Correlated span id."),
        sa.Column("model", sa.Text(), nullable=True, comment="Model the entry is about."),
        sa.Column("provider", sa.Text(), nullable=True, comment="Model provider."),
        sa.Column("input_tokens", sa.BigInteger(), nullable=True, comment="Prompt tokens."),
        sa.Column("output_tokens", sa.BigInteger(), nullable=True, comment="Completion tokens."),
        sa.Column("latency_ms", sa.Double(), nullable=True, comment="Latency in milliseconds."),
        sa.Column("cost_usd", sa.Double(), nullable=True, comment="Cost in USD, as logged."),
        sa.Column("error_type", sa.Text(), nullable=True, comment="Exception class name."),
        sa.Column("error_message", sa.Text(), nullable=True, comment="Exception message."),
        sa.Column("attributes", JSON, nullable=True, comment="Every other attribute, JSON."),
        sa.Column("resource_attributes", JSON, nullable=True, comment="Resource attributes, JSON."),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logs")),
        comment="Log entries from the logging API, the SDK and OTLP log exporters.",
    )
    _create_index("ix_logs_time", "logs", ["time"])
    _create_index("ix_logs_trace_id", "logs", ["trace_id"])
    op.create_table(
        "metric_points",
        sa.Column(
            "id",
            sa.BigInteger(),
            server_default=sa.text("nextval('metric_points_id_seq')"),
            nullable=False,
            comment="Row id drawn from a sequence.",
        ),
        sa.Column(
            "name",
            sa.Text(),
            nullable=False,
            comment="Metric name, e.g. gen_ai.client.token.usage.",
        ),
        sa.Column(
            "kind",
            sa.String(length=24),
            nullable=False,
            comment="gauge, sum, histogram, exponential_histogram or summary.",
        ),
        sa.Column(
            "temporality",
            sa.String(length=12),
            nullable=True,
            comment="delta or cumulative for sums and histograms; NULL for gauges.",
        ),
        sa.Column(
            "is_monotonic",
            sa.Boolean(),
            nullable=True,
            comment="For sums: true when the sum only grows (a counter).",
        ),
        sa.Column("unit", sa.Text(), nullable=True, comment="Unit as sent, e.g. s or {token}."),
        sa.Column("description", sa.Text(), nullable=True, comment="Description as sent."),
        sa.Column(
            "series_key",
            sa.String(length=64),
            nullable=False,
            comment="Hash of name, kind, attributes and resource: identifies one time series.",
        ),
        sa.Column("time", TIMESTAMPTZ, nullable=False, comment="Point timestamp, UTC."),
        sa.Column(
            "start_time",
            TIMESTAMPTZ,
            nullable=True,
            comment="Start of the aggregation interval (cumulative and delta points).",
        ),
        sa.Column("value", sa.Double(), nullable=True, comment="Gauge or sum value."),
        sa.Column("count", sa.BigInteger(), nullable=True, comment="Histogram observation count."),
        sa.Column("sum", sa.Double(), nullable=True, comment="Histogram sum of observations."),
        sa.Column("min", sa.Double(), nullable=True, comment="Histogram minimum, when sent."),
        sa.Column("max", sa.Double(), nullable=True, comment="Histogram maximum, when sent."),
        sa.Column(
            "explicit_bounds",
            JSON,
            nullable=True,
            comment="Histogram bucket upper bounds of this point, JSON array.",
        ),
        sa.Column(
            "bucket_counts",
            JSON,
            nullable=True,
            comment="Histogram counts per bucket (one more than bounds), JSON array.",
        ),
        sa.Column("service_name", sa.Text(), nullable=True, comment="Resource service.name."),
        sa.Column("scope_name", sa.Text(), nullable=True, comment="Instrumentation scope."),
        sa.Column(
            "model",
            sa.Text(),
            nullable=True,
            comment="gen_ai.response.model / gen_ai.request.model label, promoted.",
        ),
        sa.Column("attributes", JSON, nullable=True, comment="Point attributes (labels), JSON."),
        sa.Column("resource_attributes", JSON, nullable=True, comment="Resource attributes, JSON."),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_points")),
        comment="Metric data points: gauges, sums and histograms with their own buckets.",
    )
    _create_index("ix_metric_points_name_time", "metric_points", ["name", "time"])
    _create_index("ix_metric_points_series_key", "metric_points", ["series_key"])
    op.create_table(
        "model_prices",
        sa.Column(
            "id",
            sa.BigInteger(),
            server_default=sa.text("nextval('model_prices_id_seq')"),
            nullable=False,
            comment="Row id drawn from a sequence.",
        ),
        sa.Column(
            "model", sa.Text(), nullable=False, comment="Model name as stored in spans.model."
        ),
        sa.Column(
            "provider",
            sa.Text(),
            nullable=True,
            comment="Provider it applies to; NULL for any provider.",
        ),
        sa.Column(
            "effective_from",
            TIMESTAMPTZ,
            nullable=False,
            comment="Spans starting at or after this time use the price, UTC.",
        ),
        sa.Column(
            "input_usd_per_mtok",
            sa.Double(),
            nullable=False,
            comment="USD per million uncached input tokens.",
        ),
        sa.Column(
            "output_usd_per_mtok",
            sa.Double(),
            nullable=False,
            comment="USD per million output tokens (reasoning included).",
        ),
        sa.Column(
            "cache_read_usd_per_mtok",
            sa.Double(),
            nullable=True,
            comment="USD per million cache-read tokens; NULL = input price.",
        ),
        sa.Column(
            "cache_write_usd_per_mtok",
            sa.Double(),
            nullable=True,
            comment="USD per million cache-write tokens; NULL = input price.",
        ),
        sa.Column("note", sa.Text(), nullable=True, comment="Why the override exists."),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False, comment="Creation time, UTC."),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_prices")),
        comment="Per-model price overrides (USD per million tokens) with a start time.",
    )
    _create_index(
        "ix_model_prices_model_effective_from", "model_prices", ["model", "effective_from"]
    )
    op.create_table(
        "request_samples",
        sa.Column(
            "id",
            sa.BigInteger(),
            server_default=sa.text("nextval('request_samples_id_seq')"),
            nullable=False,
            comment="Row id drawn from a sequence.",
        ),
        sa.Column("time", TIMESTAMPTZ, nullable=False, comment="When the request completed, UTC."),
        sa.Column("service_name", sa.Text(), nullable=True, comment="Recording service."),
        sa.Column("model", sa.Text(), nullable=False, comment="Model used."),
        sa.Column("provider", sa.Text(), nullable=True, comment="Model provider, when known."),
        sa.Column("latency_s", sa.Double(), nullable=False, comment="Request latency in seconds."),
        sa.Column(
            "ttft_s",
            sa.Double(),
            nullable=True,
            comment="Time to first token in seconds, when streamed.",
        ),
        sa.Column("input_tokens", sa.BigInteger(), nullable=True, comment="Prompt tokens."),
        sa.Column("output_tokens", sa.BigInteger(), nullable=True, comment="Completion tokens."),
        sa.Column(
            "cost_usd", sa.Double(), nullable=True, comment="Cost in USD as reported by the caller."
        ),
        sa.Column(
            "success", sa.Boolean(), nullable=False, comment="False when the request failed."
        ),
        sa.Column(
            "cache_hit",
            sa.Boolean(),
            nullable=True,
            comment="True/false when an application cache was consulted, else NULL.",
        ),
        sa.Column("trace_id", sa.String(length=32), nullable=True, comment="Trace of the request."),
        sa.Column("span_id", sa.String(length=16), nullable=True, comment="Span of the request."),
        sa.Column("attributes", JSON, nullable=True, comment="Extra labels, JSON."),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_samples")),
        comment="One row per LLM request recorded through the metrics API or SDK.",
    )
    _create_index("ix_request_samples_time", "request_samples", ["time"])
    op.create_table(
        "saved_queries",
        sa.Column(
            "id",
            sa.BigInteger(),
            server_default=sa.text("nextval('saved_queries_id_seq')"),
            nullable=False,
            comment="Row id drawn from a sequence.",
        ),
        sa.Column("name", sa.Text(), nullable=False, comment="Unique query name."),
        sa.Column(
            "sql", sa.Text(), nullable=False, comment="The query text, with :named parameters."
        ),
        sa.Column("description", sa.Text(), nullable=True, comment="What the query answers."),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False, comment="Creation time, UTC."),
        sa.Column("updated_at", TIMESTAMPTZ, nullable=False, comment="Last change, UTC."),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_queries")),
        comment="Named SQL queries saved from the console or the CLI.",
    )
    _create_index("ux_saved_queries_name", "saved_queries", ["name"], unique=True)
    op.create_table(
        "spans",
        sa.Column(
            "trace_id",
            sa.String(length=32),
            nullable=False,
            comment="W3C trace id: 32 lowercase hex characters.",
        ),
        sa.Column(
            "span_id",
            sa.String(length=16),
            nullable=False,
            comment="Span id: 16 lowercase hex characters.",
        ),
        sa.Column(
            "parent_span_id",
            sa.String(length=16),
            nullable=True,
            comment="Parent span id; NULL for a root span.",
        ),
        sa.Column("name", sa.Text(), nullable=False, comment="Span name, e.g. 'chat gpt-4o-mini'."),
        sa.Column(
            "kind",
            sa.String(length=16),
            nullable=False,
            comment="OpenTelemetry span kind: internal, server, client, producer, consumer.",
        ),
        sa.Column(
            "span_type",
            sa.String(length=16),
            nullable=False,
            comment="Role of the span: llm, embedding, retrieval, tool, agent, chain or other.",
        ),
        sa.Column("status", sa.String(length=8), nullable=False, comment="ok, error or unset."),
        sa.Column(
            "status_message",
            sa.Text(),
            nullable=True,
            comment="Status description sent with an error status.",
        ),
        sa.Column(
            "error_type",
            sa.Text(),
            nullable=True,
            comment="Error class from error.type or the exception event, when the span failed.",
        ),
        sa.Column("start_time", TIMESTAMPTZ, nullable=False, comment="Start, UTC."),
        sa.Column("end_time", TIMESTAMPTZ, nullable=False, comment="End, UTC."),
        sa.Column(
            "duration_ms",
            sa.Double(),
            nullable=False,
            comment="end_time - start_time in milliseconds, stored once at ingest.",
        ),
        sa.Column(
            "service_name",
            sa.Text(),
            nullable=True,
            comment="Resource attribute service.name of the emitting process.",
        ),
        sa.Column(
            "scope_name",
            sa.Text(),
            nullable=True,
            comment="Instrumentation scope (library) that produced the span.",
        ),
        sa.Column(
            "provider",
            sa.Text(),
            nullable=True,
            comment="Model provider, e.g. openai, anthropic, aws.bedrock.",
        ),
        sa.Column(
            "operation",
            sa.Text(),
            nullable=True,
            comment="GenAI operation, e.g. chat, embeddings, execute_tool.",
        ),
        sa.Column(
            "model",
            sa.Text(),
            nullable=True,
            comment="Grouping model: response_model if reported, else request_model.",
        ),
        sa.Column("request_model", sa.Text(), nullable=True, comment="Model the caller asked for."),
        sa.Column(
            "response_model", sa.Text(), nullable=True, comment="Model the provider says answered."
        ),
        sa.Column(
            "input_tokens",
            sa.BigInteger(),
            nullable=True,
            comment="Prompt tokens including cache reads and writes; NULL when not reported.",
        ),
        sa.Column(
            "output_tokens",
            sa.BigInteger(),
            nullable=True,
            comment="Completion tokens including reasoning; NULL when not reported.",
        ),
        sa.Column(
            "total_tokens",
            sa.BigInteger(),
            nullable=True,
            comment="input_tokens + output_tokens, or the total the client reported.",
        ),
        sa.Column(
            "cache_read_tokens",
            sa.BigInteger(),
            nullable=True,
            comment="Part of input_tokens read from the provider's prompt cache.",
        ),
        sa.Column(
            "cache_write_tokens",
            sa.BigInteger(),
            nullable=True,
            comment="Part of input_tokens written to the provider's prompt cache.",
        ),
        sa.Column(
            "reasoning_tokens",
            sa.BigInteger(),
            nullable=True,
            comment="Part of output_tokens spent on reasoning.",
        ),
        sa.Column(
            "cost_usd",
            sa.Double(),
            nullable=True,
            comment="Cost computed by llmobs in USD; NULL means unpriced, never free.",
        ),
        sa.Column(
            "cost_source",
            sa.Text(),
            nullable=True,
            comment="What priced the span: 'genai-prices <version>' or 'override <id>'.",
        ),
        sa.Column(
            "reported_cost_usd",
            sa.Double(),
            nullable=True,
            comment="Cost the client itself reported (gen_ai.usage.cost, llm.cost.total).",
        ),
        sa.Column(
            "ttft_ms",
            sa.Double(),
            nullable=True,
            comment="Time to first token in milliseconds, when derivable.",
        ),
        sa.Column(
            "session_id",
            sa.Text(),
            nullable=True,
            comment="Conversation or session id (gen_ai.conversation.id, session.id).",
        ),
        sa.Column(
            "user_id",
            sa.Text(),
            nullable=True,
            comment="End user id (user.id, gen_ai.request.user).",
        ),
        sa.Column(
            "input_text",
            sa.Text(),
            nullable=True,
            comment="Captured prompt after truncation and redaction; NULL when not captured.",
            info=ZSTD,
        ),
        sa.Column(
            "output_text",
            sa.Text(),
            nullable=True,
            comment="Captured answer after truncation and redaction; NULL when not captured.",
            info=ZSTD,
        ),
        sa.Column(
            "attributes",
            JSON,
            nullable=False,
            comment="Every span attribute as sent, as a JSON object.",
            info=ZSTD,
        ),
        sa.Column(
            "events",
            JSON,
            nullable=True,
            comment="Span events [{name, time, attributes}], JSON.",
            info=ZSTD,
        ),
        sa.Column(
            "links",
            JSON,
            nullable=True,
            comment="Span links [{trace_id, span_id, attributes}], JSON.",
        ),
        sa.Column(
            "resource_attributes",
            JSON,
            nullable=True,
            comment="Resource attributes of the emitting process, JSON.",
        ),
        sa.Column(
            "metadata",
            JSON,
            nullable=True,
            comment="User labels such as tenant or feature (metadata.* attributes), JSON.",
        ),
        comment="One row per finished span (OTLP, JSON API or SDK).",
    )
    _create_index("ix_spans_trace_id", "spans", ["trace_id"])
    _create_index("ux_spans_trace_id_span_id", "spans", ["trace_id", "span_id"], unique=True)
    op.create_table(
        "traces",
        sa.Column("trace_id", sa.String(length=32), nullable=False, comment="W3C trace id."),
        sa.Column(
            "root_span_id",
            sa.String(length=16),
            nullable=True,
            comment="Span id of the root span; NULL until the root arrives.",
        ),
        sa.Column(
            "name",
            sa.Text(),
            nullable=True,
            comment="Root span name; NULL until the root span arrives.",
        ),
        sa.Column("service_name", sa.Text(), nullable=True, comment="service.name of the root."),
        sa.Column("start_time", TIMESTAMPTZ, nullable=False, comment="Earliest span start, UTC."),
        sa.Column("end_time", TIMESTAMPTZ, nullable=False, comment="Latest span end, UTC."),
        sa.Column(
            "duration_ms",
            sa.Double(),
            nullable=False,
            comment="end_time - start_time in milliseconds.",
        ),
        sa.Column(
            "num_spans", sa.BigInteger(), nullable=False, comment="Spans stored for the trace."
        ),
        sa.Column(
            "num_errors", sa.BigInteger(), nullable=False, comment="Spans with status error."
        ),
        sa.Column(
            "num_llm_spans", sa.BigInteger(), nullable=False, comment="Spans of span_type llm."
        ),
        sa.Column(
            "input_tokens",
            sa.BigInteger(),
            nullable=True,
            comment="Sum of input_tokens; NULL when no span reported any.",
        ),
        sa.Column(
            "output_tokens",
            sa.BigInteger(),
            nullable=True,
            comment="Sum of output_tokens; NULL when no span reported any.",
        ),
        sa.Column(
            "total_tokens",
            sa.BigInteger(),
            nullable=True,
            comment="Sum of total_tokens; NULL when no span reported any.",
        ),
        sa.Column(
            "cost_usd",
            sa.Double(),
            nullable=True,
            comment="Sum of priced cost_usd; NULL when no span was priced.",
        ),
        sa.Column(
            "num_unpriced",
            sa.BigInteger(),
            nullable=False,
            comment="LLM spans with tokens but no cost_usd (unknown model price).",
        ),
        sa.Column(
            "session_id", sa.Text(), nullable=True, comment="A session id seen in the trace."
        ),
        sa.Column("user_id", sa.Text(), nullable=True, comment="A user id seen in the trace."),
        sa.PrimaryKeyConstraint("trace_id", name=op.f("pk_traces")),
        comment="One row per trace, summarising its stored spans.",
    )
    _create_index("ix_traces_start_time", "traces", ["start_time"])


def downgrade() -> None:
    _drop_index("ix_traces_start_time", "traces")
    op.drop_table("traces")
    _drop_index("ux_spans_trace_id_span_id", "spans")
    _drop_index("ix_spans_trace_id", "spans")
    op.drop_table("spans")
    _drop_index("ux_saved_queries_name", "saved_queries")
    op.drop_table("saved_queries")
    _drop_index("ix_request_samples_time", "request_samples")
    op.drop_table("request_samples")
    _drop_index("ix_model_prices_model_effective_from", "model_prices")
    op.drop_table("model_prices")
    _drop_index("ix_metric_points_series_key", "metric_points")
    _drop_index("ix_metric_points_name_time", "metric_points")
    op.drop_table("metric_points")
    _drop_index("ix_logs_trace_id", "logs")
    _drop_index("ix_logs_time", "logs")
    op.drop_table("logs")
    _drop_index("ux_alert_rules_name", "alert_rules")
    op.drop_table("alert_rules")
    _drop_index("ix_alert_events_time", "alert_events")
    _drop_index("ix_alert_events_rule_id", "alert_events")
    op.drop_table("alert_events")
    for name in SEQUENCES:
        op.execute(sa.schema.DropSequence(sa.Sequence(name)))
