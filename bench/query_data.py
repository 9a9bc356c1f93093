"""Benchmark spans generated natively in DuckDB: 30 days of realistic GenAI traces, in seconds.

Hash-based (``hash(i * 256 + salt)``), so every run builds the same data: 5-span traces (an
agent root, retrieval, two LLM calls, a tool), 10 models of which one has no price, lognormal
latencies and tokens, ~3 % errors, users, sessions, tenants; the ``traces`` summary is filled
by the writer's own SQL (``llmobs_store.ingest.trace_summary``).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert

from llmobs_store.config import Settings
from llmobs_store.db.spans import Span, Trace
from llmobs_store.ingest.trace_summary import summary_rows
from llmobs_store.store import Store

END = datetime(2026, 11, 1, tzinfo=UTC)
START = END - timedelta(days=30)
FILTER_MODEL = "claude-3-5-sonnet-20241022"
# name, provider, median latency ms, USD per input / output token (None: unpriced), share.
MODELS = [
    ("gpt-4o-mini", "openai", 700, 0.15e-6, 0.6e-6, 0.30),
    ("gpt-4o", "openai", 1200, 2.5e-6, 10e-6, 0.15),
    ("o3-mini", "openai", 4000, 1.1e-6, 4.4e-6, 0.05),
    (FILTER_MODEL, "anthropic", 1500, 3e-6, 15e-6, 0.12),
    ("claude-3-5-haiku-20241022", "anthropic", 600, 0.8e-6, 4e-6, 0.10),
    ("gemini-1.5-flash", "google", 500, 0.075e-6, 0.3e-6, 0.10),
    ("gemini-1.5-pro", "google", 1800, 1.25e-6, 5e-6, 0.05),
    ("mistral-large-latest", "mistral", 1300, 2e-6, 6e-6, 0.05),
    ("llama-3.1-70b-versatile", "groq", 400, 0.59e-6, 0.79e-6, 0.05),
    ("acme-finetune-v2", "self-hosted", 900, None, None, 0.03),
]
SERVICES = ["chat-api", "search", "agent-worker", "batch-summariser"]
SPANS_PER_TRACE = 5
SPANS: Table = Span.__table__  # type: ignore[assignment]
TRACES: Table = Trace.__table__  # type: ignore[assignment]


def _sql_list(values: list[Any]) -> str:
    return "[" + ", ".join("NULL" if v is None else repr(v) for v in values) + "]"


def _macros() -> str:
    """DuckDB macros: uniform and normal draws from a hash, a model index, a span's duration."""
    cumulative: list[str] = []
    total = 0.0
    for *_, share in MODELS:
        total += share
        cumulative.append(f"WHEN u(x, 3) < {total:.4f} THEN {len(cumulative)}")
    cumulative[-1] = f"ELSE {len(MODELS) - 1}"
    medians = _sql_list([m[2] for m in MODELS])
    return f"""
    CREATE OR REPLACE TEMP MACRO u(x, salt) AS (hash(x * 256 + salt) >> 11) / 9007199254740992.0;
    CREATE OR REPLACE TEMP MACRO z(x, salt) AS
        sqrt(-2 * ln(greatest(u(x, salt), 1e-12))) * cos(2 * pi() * u(x, salt + 100));
    CREATE OR REPLACE TEMP MACRO mi(x) AS CASE {" ".join(cumulative)} END;
    CREATE OR REPLACE TEMP MACRO dur(x, j) AS round(CASE j
        WHEN 1 THEN 25 * exp(0.5 * z(x, 5)) WHEN 3 THEN 60 * exp(0.8 * z(x, 5))
        ELSE {medians}[mi(x) + 1] * exp(0.45 * z(x, 5)) END, 3);
    """


def _spans_sql(num_traces: int) -> str:
    """INSERT … SELECT of ``num_traces`` 5-span traces spread evenly over the 30 days.

    No ORDER BY: DuckDB keeps range()'s order (``preserve_insertion_order``), so rows land in
    time order as a collector writes them, without sorting 10M wide rows.
    """
    names, providers = _sql_list([m[0] for m in MODELS]), _sql_list([m[1] for m in MODELS])
    price_in, price_out = _sql_list([m[3] for m in MODELS]), _sql_list([m[4] for m in MODELS])
    step_s = 30 * 86_400 / num_traces
    # Children run one after another, 5 ms apart, inside the root (j = 0).
    offsets = "CASE j WHEN 0 THEN 0 WHEN 1 THEN 10 ELSE 10 + " + " + ".join(
        f"(CASE WHEN j > {k} THEN dur(r + {k}, {k}) + 5 ELSE 0 END)" for k in range(1, 4)
    )
    root_ms = "25 + " + " + ".join(f"dur(r + {k}, {k}) + 5" for k in range(1, 5))
    return f"""
    INSERT INTO spans BY NAME
    WITH s AS (
        SELECT i, i // 5 AS t, i % 5 AS j, i - i % 5 AS r, mi(i) AS m,
               u(i, 7) < 0.03 AS failed, u(i // 5, 11) AS ut
        FROM range({num_traces * SPANS_PER_TRACE}) AS g(i)
    ), d AS (
        SELECT *, j IN (2, 4) AS llm,
               CASE WHEN j = 0 THEN {root_ms} ELSE dur(i, j) END AS duration_ms,
               to_timestamp({START.timestamp()} + t * {step_s} + ({offsets} END) / 1000.0)
                   AS start_time,
               ['agent', 'retrieval', 'llm', 'tool', 'llm'][j + 1] AS span_type,
               {SERVICES!r}[t % {len(SERVICES)} + 1] AS service_name,
               CAST(round(exp(6.6 + 0.9 * z(i, 13))) AS BIGINT) AS tin,
               CAST(round(exp(5.0 + 0.8 * z(i, 17))) AS BIGINT) AS tout,
               CASE WHEN u(i, 19) < 0.25 AND m < 5 THEN 0.5 ELSE 0 END AS cached
        FROM s
    ), k AS (
        SELECT *, llm AND NOT failed AS counted, {names}[m + 1] AS model_name FROM d
    )
    SELECT md5(CAST(t AS VARCHAR)) AS trace_id,
           substr(md5(CAST(i AS VARCHAR) || 's'), 1, 16) AS span_id,
           CASE WHEN j > 0 THEN substr(md5(CAST(r AS VARCHAR) || 's'), 1, 16) END
               AS parent_span_id,
           CASE j WHEN 0 THEN 'agent run' WHEN 1 THEN 'retrieve documents'
               WHEN 3 THEN 'execute_tool search' ELSE 'chat ' || model_name END AS name,
           CASE WHEN j = 0 THEN 'server' WHEN llm THEN 'client' ELSE 'internal' END AS kind,
           span_type, CASE WHEN failed THEN 'error' ELSE 'ok' END AS status,
           CASE WHEN failed THEN 'upstream timeout' END AS status_message,
           CASE WHEN failed THEN 'TimeoutError' END AS error_type,
           start_time, start_time + to_microseconds(CAST(duration_ms * 1000 AS BIGINT))
               AS end_time, duration_ms, service_name, 'bench' AS scope_name,
           CASE WHEN llm THEN {providers}[m + 1] END AS provider,
           CASE WHEN llm THEN 'chat' WHEN j = 3 THEN 'execute_tool' END AS operation,
           CASE WHEN llm THEN model_name END AS model,
           CASE WHEN llm THEN model_name END AS request_model,
           CASE WHEN counted THEN model_name END AS response_model,
           CASE WHEN counted THEN tin END AS input_tokens,
           CASE WHEN counted THEN tout END AS output_tokens,
           CASE WHEN counted THEN tin + tout END AS total_tokens,
           CASE WHEN counted THEN CAST(tin * cached AS BIGINT) END AS cache_read_tokens,
           CASE WHEN counted AND m = 2 THEN tout // 2 END AS reasoning_tokens,
           CASE WHEN counted THEN tin * (1 - cached / 2) * {price_in}[m + 1]
               + tout * {price_out}[m + 1] END AS cost_usd,
           CASE WHEN counted AND m < 9 THEN 'bench' END AS cost_source,
           CASE WHEN llm THEN round(duration_ms / 4, 3) END AS ttft_ms,
           'session-' || (t // 4) AS session_id,
           'user-' || CAST(floor(5000 * ut * ut) AS BIGINT) AS user_id,
           CASE WHEN llm THEN '{{"gen_ai.operation.name": "chat", "gen_ai.request.model": "'
               || model_name || '"}}' ELSE '{{}}' END AS attributes,
           '{{"service.name": "' || service_name || '"}}' AS resource_attributes,
           '{{"tenant": "tenant-' || CAST(floor(40 * ut * ut * ut) AS BIGINT) || '"}}'
               AS metadata
    FROM k
    """


def generate(path: Path, num_spans: int) -> None:
    """A new DuckDB file at ``path`` with ``num_spans`` spans and their trace summaries."""
    for leftover in (path, Path(f"{path}.wal")):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    settings = Settings(duckdb_memory_limit_mb=8_192)
    with Store.open(f"duckdb:///{path}", settings=settings) as store:
        with store.engine.begin() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            # Building the ART index once afterwards beats maintaining it row by row.
            raw.execute("SET enable_progress_bar = false")
            raw.execute("DROP INDEX ix_spans_trace_id")
            raw.execute(_macros())
            raw.execute(_spans_sql(num_spans // SPANS_PER_TRACE))
            marks = [started, time.perf_counter()]
            raw.execute("CREATE INDEX ix_spans_trace_id ON spans (trace_id)")
            rows = summary_rows(SPANS)
            columns = [c.name for c in rows.selected_columns]
            conn.execute(insert(TRACES).from_select(columns, rows))
            marks.append(time.perf_counter())
        with store.engine.connect() as conn:
            conn.exec_driver_sql("CHECKPOINT")
    marks.append(time.perf_counter())
    spans_s, traces_s, commit_s = (b - a for a, b in zip(marks, marks[1:], strict=False))
    print(
        f"generated {num_spans:,} spans in {marks[-1] - started:.1f} s (spans "
        f"{spans_s:.1f} s, trace_id index and traces {traces_s:.1f} s, "
        f"commit + checkpoint {commit_s:.1f} s) -> {path}"
    )
