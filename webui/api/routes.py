"""The /v1 routes: OTLP and the JSON API share paths and are told apart by their content."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Blueprint, Response, g, request

from llmobs_store.errors import UnsupportedMediaType
from llmobs_store.ingest.payload import media_type
from webui.api import json_api, otlp
from webui.app_context import JSON, current_settings, request_body
from webui.auth import require_api_key

PROTOBUF = "application/x-protobuf"
# The top-level key that marks a JSON body as an OTLP export request, per signal.
OTLP_JSON_KEYS = {"traces": "resourceSpans", "metrics": "resourceMetrics", "logs": "resourceLogs"}

api = Blueprint("api", __name__)


@api.before_request
def check_api_key() -> Response | None:
    """Every /v1 endpoint needs a key once LLMOBS_API_KEYS is set."""
    if media_type(request.content_type) == PROTOBUF:
        g.otlp_media_type = PROTOBUF
    return require_api_key(current_settings(), request)


def _dispatch(
    signal: str,
    otlp_handler: Callable[[bytes, str], Response],
    json_handler: Callable[[bytes], Response],
) -> Response:
    media = media_type(request.content_type)
    if media == PROTOBUF:
        g.otlp_media_type = PROTOBUF
        return otlp_handler(request_body(), PROTOBUF)
    if media != JSON:
        raise UnsupportedMediaType(
            f"Content-Type must be {PROTOBUF} or {JSON}, not {request.content_type!r}"
        )
    body = request_body()
    if _is_otlp_json(body, OTLP_JSON_KEYS[signal]):
        g.otlp_media_type = JSON
        return otlp_handler(body, JSON)
    return json_handler(body)


def _is_otlp_json(body: bytes, key: str) -> bool:
    try:
        parsed = json.loads(body)
    except RecursionError:
        # Too deep to parse here: only an OTLP body has reason to nest; its decoder says 400.
        return f'"{key}"'.encode() in body
    except ValueError:
        return False  # the JSON API's validation names the problem
    return isinstance(parsed, dict) and key in parsed


@api.post("/v1/traces")
def post_traces() -> Response:
    """OTLP traces, or the JSON API's trace start."""
    return _dispatch("traces", otlp.export_traces, json_api.start_trace)


@api.post("/v1/metrics")
def post_metrics() -> Response:
    """OTLP metrics, or one recorded LLM request."""
    return _dispatch("metrics", otlp.export_metrics, json_api.record_request)


@api.post("/v1/logs")
def post_logs() -> Response:
    """OTLP logs, or one JSON API log entry."""
    return _dispatch("logs", otlp.export_logs, json_api.write_log)


api.add_url_rule("/v1/spans", view_func=json_api.start_span, methods=["POST"])
api.add_url_rule("/v1/spans/<span_id>", view_func=json_api.end_span, methods=["PUT"])
api.add_url_rule("/v1/traces/<trace_id>", view_func=json_api.get_trace, methods=["GET"])
api.add_url_rule("/v1/metrics", view_func=json_api.metrics_summary, methods=["GET"])
api.add_url_rule("/v1/alerts", view_func=json_api.active_alerts, methods=["GET"])
