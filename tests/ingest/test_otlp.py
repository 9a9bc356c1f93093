"""OTLP decoding against the real captured bodies, and the same data as a JS exporter sends it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from llmobs_store.ingest.otlp import (
    JSON,
    PROTOBUF,
    decode_logs,
    decode_metrics,
    decode_traces,
    media_type,
    read_body,
)
from llmobs_store.ingest.records import LogRecord, MetricPointRecord, RawSpan
from tests.fixture_files import OTLP_FIXTURES

FIXTURES = OTLP_FIXTURES


def fixture_body(name: str) -> tuple[bytes, str]:
    """A fixture's body as the server would see it after ``read_body``, and its media type."""
    path = FIXTURES / name
    expected = json.loads((FIXTURES / "expected" / f"{path.stem}.json").read_text())
    request = expected["request"]
    raw = path.read_bytes()
    body = read_body(
        io.BytesIO(raw),
        content_encoding=request.get("content-encoding"),
        content_length=len(raw),
        max_bytes=1 << 20,
    )
    return body, media_type(request["content-type"])


def expected_doc(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        (FIXTURES / "expected" / f"{Path(name).stem}.json").read_text()
    )
    return doc


def moment(unix_nano: int) -> datetime:
    """Unix nanoseconds as the decoders keep them: UTC, truncated to the microsecond."""
    seconds, nanos = divmod(unix_nano, 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=nanos // 1000)


def typed(value: Any) -> Any:
    """``value`` with the type of every scalar attached, so 1 and 1.0 (or True) differ."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


TRACE_FIXTURES = [
    "traces_genai_protobuf.bin",
    "traces_genai_gzip.bin",
    "traces_genai_canonical.json",
    "traces_openinference_protobuf.bin",
]


@pytest.mark.parametrize("name", TRACE_FIXTURES)
def test_trace_fixtures_decode_to_the_expected_spans(name: str) -> None:
    body, kind = fixture_body(name)
    decoded = decode_traces(body, kind)
    doc = expected_doc(name)
    assert (decoded.num_rejected, decoded.rejection_message) == (0, None)
    assert len(decoded.items) == doc["span_count"] == len(doc["spans"])
    for span, want in zip(decoded.items, doc["spans"], strict=True):
        assert span.trace_id == want["trace_id"]
        assert span.span_id == want["span_id"]
        assert span.parent_span_id == want["parent_span_id"]
        assert span.name == want["name"]
        assert span.kind == want["kind"].lower()
        assert span.status == want["status"]["code"].lower()
        assert span.status_message == (want["status"]["message"] or None)
        assert span.start_time == moment(want["start_time_unix_nano"])
        assert span.end_time == moment(want["end_time_unix_nano"])
        assert typed(span.attributes) == typed(want["attributes"])
        assert [(e.name, e.time, typed(e.attributes)) for e in span.events] == [
            (e["name"], moment(e["time_unix_nano"]), typed(e["attributes"])) for e in want["events"]
        ]
        assert [(k.trace_id, k.span_id, typed(k.attributes)) for k in span.links] == [
            (k["trace_id"], k["span_id"], typed(k["attributes"])) for k in want["links"]
        ]
        assert span.resource_attributes == doc["resources"][0]
        assert span.scope_name == want["scope"]["name"]


def test_the_genai_trace_facts_the_manifest_lists() -> None:
    spans = {s.span_id: s for s in decode_traces(*fixture_body(TRACE_FIXTURES[0])).items}
    root = spans["00f067aa0ba90201"]
    assert (root.kind, root.parent_span_id, root.status) == ("server", None, "unset")
    assert (root.end_time - root.start_time).total_seconds() == 2.5
    assert root.links[0].attributes == {"link.reason": "previous_turn"}
    claude = spans["00f067aa0ba90204"].attributes
    assert claude["gen_ai.input.messages"] == [
        {
            "role": "user",
            "parts": [{"type": "text", "content": "Summarise: Paris is the capital of France."}],
        }
    ]
    assert claude["gen_ai.output.messages"][0]["finish_reason"] == "end_turn"
    chat = spans["00f067aa0ba90203"].attributes
    assert isinstance(chat["gen_ai.input.messages"], str)
    assert chat["gen_ai.request.temperature"] == 0.2
    assert chat["gen_ai.response.finish_reasons"] == ["stop"]
    failed = spans["00f067aa0ba90206"]
    assert (failed.status, failed.status_message) == ("error", "Rate limit reached for gpt-4o-mini")
    assert "gen_ai.usage.input_tokens" not in failed.attributes
    tool = spans["00f067aa0ba90205"]
    assert [e.name for e in tool.events] == ["exception"]
    assert tool.events[0].attributes["retry.count"] == 0


def test_protobuf_gzip_and_json_bodies_of_the_same_trace_decode_identically() -> None:
    protobuf, gzipped, canonical = (decode_traces(*fixture_body(n)) for n in TRACE_FIXTURES[:3])
    assert protobuf == gzipped == canonical


@pytest.mark.parametrize("name", ["metrics_protobuf.bin", "metrics_canonical.json"])
def test_metric_fixtures_decode_to_the_expected_points(name: str) -> None:
    decoded = decode_metrics(*fixture_body(name))
    doc = expected_doc(name)
    assert decoded.num_rejected == 0
    expected_points = [(m, p) for m in doc["metrics"] for p in m["points"]]
    assert len(decoded.items) == len(expected_points) == 13
    for point, (metric, want) in zip(decoded.items, expected_points, strict=True):
        assert (point.name, point.kind) == (metric["name"], metric["type"])
        assert (point.unit, point.description) == (metric["unit"], metric["description"])
        assert point.temporality == metric["temporality"].lower()
        assert point.is_monotonic == metric.get("is_monotonic")
        assert (point.service_name, point.scope_name) == (metric["service.name"], metric["scope"])
        assert typed(point.attributes) == typed(want["attributes"])
        assert point.resource_attributes == doc["resources"][0]
        assert point.time == moment(want["time_unix_nano"])
        assert point.start_time == moment(want["start_time_unix_nano"])
        assert typed(point.value) == typed(want.get("value"))
        for column in ("count", "sum", "min", "max", "explicit_bounds", "bucket_counts"):
            assert typed(getattr(point, column)) == typed(want.get(column)), column
        attributes = want["attributes"]
        assert point.model == attributes.get(
            "gen_ai.response.model", attributes.get("gen_ai.request.model")
        )


def test_metric_series_keys_tell_series_apart_and_repeat_across_bodies() -> None:
    protobuf = decode_metrics(*fixture_body("metrics_protobuf.bin")).items
    canonical = decode_metrics(*fixture_body("metrics_canonical.json")).items
    assert len({p.series_key for p in protobuf}) == len(protobuf)
    assert protobuf == canonical
    assert all(len(p.series_key) == 64 for p in protobuf)


@pytest.mark.parametrize("name", ["logs_protobuf.bin", "logs_canonical.json"])
def test_log_fixtures_decode_to_the_expected_records(name: str) -> None:
    decoded = decode_logs(*fixture_body(name))
    doc = expected_doc(name)
    assert (decoded.num_rejected, decoded.request_samples) == (0, [])
    levels = {5: "debug", 9: "info", 13: "warning", 17: "error"}
    for log, want in zip(decoded.logs, doc["records"], strict=True):
        assert log.time == moment(want["time_unix_nano"] or want["observed_time_unix_nano"])
        assert log.observed_time == moment(want["observed_time_unix_nano"])
        assert log.severity_number == want["severity_number"]
        assert log.severity_text == (want["severity_text"] or None)
        assert log.level == levels[want["severity_number"]]
        assert log.event_name == (want["event_name"] or None)
        assert (log.trace_id, log.span_id) == (want["trace_id"], want["span_id"])
        assert (log.service_name, log.logger_name) == (want["service.name"], want["scope"])
        assert typed(log.attributes) == typed(want["attributes"])
        assert log.message == (want["body"] or want["event_name"])
        assert log.body is None
    warn, error, debug, event = decoded.logs[1:]
    assert (warn.severity_text, warn.level) == ("WARN", "warning")
    assert (error.error_type, error.error_message) == ("ValueError", "bad tool arguments")
    assert (debug.trace_id, debug.span_id) == (None, None)
    assert (event.model, event.provider) == ("gpt-4o-mini-2024-07-18", "openai")
    assert (event.input_tokens, event.output_tokens) == (42, 9)
    assert decoded.logs[0].model == "gpt-4o-mini"


def test_log_protobuf_and_json_bodies_decode_identically() -> None:
    protobuf = decode_logs(*fixture_body("logs_protobuf.bin"))
    canonical = decode_logs(*fixture_body("logs_canonical.json"))
    assert protobuf == canonical


def js_exporter_style(document: Any) -> Any:
    """The canonical JSON as the JS exporter writes it: 64-bit counts as numbers (timestamps
    stay strings), upper-case hex ids, and fields this decoder has never heard of."""
    if isinstance(document, list):
        return [js_exporter_style(item) for item in document]
    if not isinstance(document, dict):
        return document
    result: dict[str, Any] = {}
    for key, value in document.items():
        if key in ("intValue", "asInt", "count", "zeroCount") and isinstance(value, str):
            result[key] = int(value)
        elif key == "bucketCounts":
            result[key] = [int(v) for v in value]
        elif key in ("traceId", "spanId", "parentSpanId"):
            result[key] = value.upper()
        else:
            result[key] = js_exporter_style(value)
    if "name" in document or "scopeSpans" in document or "key" in document:
        result["droppedAttributesCount"] = 0
        result["futureField"] = {"nested": [1, "two", {"three": None}]}
    return result


@pytest.mark.parametrize(
    ("name", "decode"),
    [
        ("traces_genai_canonical.json", decode_traces),
        ("metrics_canonical.json", decode_metrics),
        ("logs_canonical.json", decode_logs),
    ],
)
def test_js_exporter_style_json_decodes_like_the_protobuf(
    name: str, decode: Callable[[bytes, str], Any]
) -> None:
    document = json.loads((FIXTURES / name).read_text())
    relaxed = js_exporter_style(document)
    body = json.dumps(relaxed).encode()
    assert b'"intValue": 1200' in body or b'"asInt": 1550' in body or b'"intValue": 562' in body
    assert decode(body, JSON) == decode((FIXTURES / name).read_bytes(), JSON)
    protobuf_name = name.replace("canonical.json", "protobuf.bin")
    assert decode(body, JSON) == decode((FIXTURES / protobuf_name).read_bytes(), PROTOBUF)


def test_decoders_return_the_documented_record_types() -> None:
    assert all(
        isinstance(s, RawSpan) for s in decode_traces(*fixture_body(TRACE_FIXTURES[3])).items
    )
    metrics = decode_metrics(*fixture_body("metrics_protobuf.bin")).items
    assert all(isinstance(p, MetricPointRecord) for p in metrics)
    assert all(
        isinstance(r, LogRecord) for r in decode_logs(*fixture_body("logs_protobuf.bin")).logs
    )
