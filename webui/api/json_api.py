"""The seed guide's JSON API, persisted: traces and spans, request metrics, logs, alerts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify, request

from llmobs_store.alerts.active import list_active_alerts
from llmobs_store.analytics.requests import request_summary
from llmobs_store.analytics.traces import StoredSpan, list_trace_spans
from llmobs_store.db.models import OpenSpan
from llmobs_store.errors import NotFound
from llmobs_store.ingest import open_spans
from llmobs_store.ingest.records import LogRecord, RequestSampleRecord
from webui.api.schemas import LogEntry, RequestMetric, SpanEnd, SpanStart, TraceStart
from webui.app_context import current_store, json_body

COMMIT_TIMEOUT_S = 30.0


def start_trace(body: bytes) -> Response:
    """``POST /v1/traces {name}`` → ``{trace_id, status: "started"}`` (the root span is open)."""
    payload = TraceStart.model_validate_json(body)
    started = open_spans.start_span(
        current_store(),
        payload.name,
        attributes=payload.attributes,
        service_name=payload.service_name,
        kind="server",
    )
    return jsonify(trace_id=started.trace_id, span_id=started.span_id, status="started")


def start_span() -> Response:
    """``POST /v1/spans {trace_id, name, attributes}`` → ``{span_id, trace_id, status}``."""
    payload = SpanStart.model_validate_json(json_body())
    started = open_spans.start_span(
        current_store(),
        payload.name,
        trace_id=payload.trace_id,
        parent_span_id=payload.parent_span_id,
        attributes=payload.attributes,
        kind=payload.kind,
    )
    return jsonify(
        span_id=started.span_id,
        trace_id=started.trace_id,
        parent_span_id=started.parent_span_id,
        status="started",
    )


def end_span(span_id: str) -> Response:
    """``PUT /v1/spans/<span_id>?status=ok`` (optional body: attributes) → ``{status: "ended"}``."""
    body = json_body(allow_empty=True)
    payload = SpanEnd.model_validate_json(body) if body.strip() else SpanEnd()
    ended = open_spans.end_span(
        current_store(),
        span_id,
        status=request.args.get("status", "ok"),
        status_message=payload.status_message,
        attributes=payload.attributes,
        timeout_s=COMMIT_TIMEOUT_S,
    )
    if not ended:
        raise NotFound(f"no open span {span_id}")
    return jsonify(status="ended")


def get_trace(trace_id: str) -> Response:
    """``GET /v1/traces/<trace_id>`` → the seed's shape, finished spans and open ones."""
    store = current_store()
    with store.connect() as conn:
        stored = list_trace_spans(conn, trace_id)
        still_open = open_spans.list_open_spans(conn, trace_id)
    if not stored and not still_open:
        raise NotFound(f"trace {trace_id} not found")
    spans = [_span_json(s, s.duration_ms, s.status) for s in stored]
    spans += [_span_json(s, 0.0, "open") for s in still_open]
    root = next((s for s in stored if s.parent_span_id is None), None)
    return jsonify(
        trace_id=trace_id,
        total_duration_ms=root.duration_ms if root else 0.0,
        spans=spans,
    )


def _span_json(span: StoredSpan | OpenSpan, duration_ms: float, status: str) -> dict[str, Any]:
    """One span in the seed's ``GET /v1/traces/<id>`` shape (plus parent and start)."""
    return {
        "span_id": span.span_id,
        "parent_span_id": span.parent_span_id,
        "name": span.name,
        "start_time": span.start_time.isoformat(),
        "duration_ms": duration_ms,
        "status": status,
        "attributes": span.attributes,
    }


def record_request(body: bytes) -> Response:
    """``POST /v1/metrics {model, latency_seconds, …}`` → ``{status: "recorded"}``."""
    payload = RequestMetric.model_validate_json(body)
    sample = RequestSampleRecord(
        time=datetime.now(UTC),
        model=payload.model,
        latency_s=payload.latency_seconds,
        success=payload.success,
        input_tokens=payload.input_tokens,
        output_tokens=payload.output_tokens,
        cost_usd=payload.cost_usd,
        provider=payload.provider,
        ttft_s=payload.ttft_seconds,
        cache_hit=payload.cache_hit,
        trace_id=payload.trace_id,
        span_id=payload.span_id,
        attributes=payload.attributes,
    )
    current_store().submit([sample]).result(COMMIT_TIMEOUT_S)
    return jsonify(status="recorded")


def metrics_summary() -> Response:
    """``GET /v1/metrics`` → the seed's summary keys, percentiles exact from SQL."""
    with current_store().connect() as conn:
        summary = request_summary(conn)
    return jsonify(
        total_requests=summary.num_requests,
        total_errors=summary.num_errors,
        total_input_tokens=summary.input_tokens,
        total_output_tokens=summary.output_tokens,
        total_cost=summary.cost_usd,
        p50_latency=summary.p50_latency_s,
        p95_latency=summary.p95_latency_s,
        p99_latency=summary.p99_latency_s,
    )


def write_log(body: bytes) -> Response:
    """``POST /v1/logs {level, message, model, trace_id, attributes}`` → ``{status: "logged"}``."""
    payload = LogEntry.model_validate_json(body)
    entry = LogRecord(
        time=datetime.now(UTC),
        level=payload.level,
        message=payload.message,
        model=payload.model,
        provider=payload.provider,
        trace_id=payload.trace_id,
        span_id=payload.span_id,
        input_tokens=payload.input_tokens,
        output_tokens=payload.output_tokens,
        latency_ms=payload.latency_ms,
        cost_usd=payload.cost_usd,
        error_type=payload.error_type,
        error_message=payload.error_message,
        attributes=payload.attributes,
        logger_name="llmobs.json-api",
    )
    current_store().submit([entry]).result(COMMIT_TIMEOUT_S)
    return jsonify(status="logged")


def active_alerts() -> Response:
    """``GET /v1/alerts`` → ``{alerts: [{name, severity, message, …}]}``."""
    with current_store().connect() as conn:
        alerts = list_active_alerts(conn)
    return jsonify(
        alerts=[
            {
                "name": a.name,
                "severity": a.severity,
                "message": a.message,
                "value": a.value,
                "threshold": a.threshold,
                "labels": a.labels,
                "firing_since": a.firing_since.isoformat(),
            }
            for a in alerts
        ]
    )
