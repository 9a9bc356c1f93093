"""Encoders for the SDK exporter: decode(encode(records)) gives the records back, field by field."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from llmobs_store.ingest.otlp import (
    EXPONENTIAL_KEY,
    PROTOBUF,
    QUANTILES_KEY,
    decode_logs,
    decode_metrics,
    decode_traces,
    encode_logs,
    encode_metric_points,
    encode_spans,
    metric_series_key,
)
from llmobs_store.ingest.records import (
    LogRecord,
    MetricPointRecord,
    RawSpan,
    RequestSampleRecord,
    SpanEvent,
    SpanLink,
)
from tests.fixture_files import OTLP_FIXTURES

FIXTURES = OTLP_FIXTURES
T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
RESOURCE = {"service.name": "svc", "service.version": "1.0"}


def typed(value: Any) -> Any:
    """``value`` with each scalar's type attached, so that 1 == 1.0 does not hide a change."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [typed(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: typed(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return (type(value).__name__, value)


def assert_same_records(decoded: list[Any], original: list[Any]) -> None:
    assert len(decoded) == len(original)
    for got, want in zip(decoded, original, strict=True):
        for field in dataclasses.fields(want):
            assert typed(getattr(got, field.name)) == typed(getattr(want, field.name)), field.name


def test_fixture_spans_round_trip() -> None:
    for name in ("traces_genai_protobuf.bin", "traces_openinference_protobuf.bin"):
        spans = decode_traces((FIXTURES / name).read_bytes(), PROTOBUF).items
        assert_same_records(decode_traces(encode_spans(spans), PROTOBUF).items, spans)


def test_spans_of_every_shape_round_trip() -> None:
    attributes: dict[str, Any] = {
        "s": "text",
        "i": -(2**63),
        "f": 0.1,
        "b": False,
        "none": None,
        "list": [1, "two", 3.0, True, None],
        "dict": {"nested": {"deeper": [{"k": "v"}]}, "empty": {}},
        "empty_list": [],
    }
    spans = [
        RawSpan(
            trace_id=TRACE_ID,
            span_id=f"{n + 1:016x}",
            parent_span_id=None if n == 0 else "0000000000000001",
            name=f"span {n}",
            start_time=T0,
            end_time=T0 + timedelta(microseconds=n),
            kind=kind,
            status=status,
            status_message="boom" if status == "error" else None,
            attributes=attributes if n == 0 else {},
            events=(SpanEvent("exception", T0, {"exception.type": "E"}), SpanEvent("e2", T0)),
            links=(SpanLink("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", {"r": 1}),),
            resource_attributes=RESOURCE if n % 2 else {"service.name": "other"},
            scope_name=None if n == 4 else "scope",
        )
        for n, (kind, status) in enumerate(
            [
                ("internal", "unset"),
                ("server", "ok"),
                ("client", "error"),
                ("producer", "ok"),
                ("consumer", "unset"),
            ]
        )  # fmt: skip
    ]
    body = encode_spans(spans)
    request = ExportTraceServiceRequest.FromString(body)
    assert len(request.resource_spans) == 3  # (other, scope), (svc, scope), (other, None)
    decoded = decode_traces(body, PROTOBUF).items
    by_id = {s.span_id: s for s in decoded}
    assert_same_records([by_id[s.span_id] for s in spans], spans)


def test_fixture_logs_round_trip() -> None:
    logs = decode_logs((FIXTURES / "logs_protobuf.bin").read_bytes(), PROTOBUF).logs
    assert_same_records(decode_logs(encode_logs(logs, []), PROTOBUF).logs, logs)


def _log(**fields: Any) -> LogRecord:
    values: dict[str, Any] = {
        "time": T0,
        "level": "info",
        "message": "hello",
        "severity_number": 9,
        "severity_text": "INFO",
        "service_name": "svc",
        "resource_attributes": {"service.name": "svc"},
        "logger_name": "app",
    }
    values.update(fields)
    return LogRecord(**values)


LOGS = [
    _log(),
    _log(
        level="error",
        message="call failed",
        severity_number=17,
        severity_text="ERROR",
        observed_time=T0 + timedelta(seconds=1),
        trace_id=TRACE_ID,
        span_id="00f067aa0ba90202",
        model="gpt-4o",
        provider="openai",
        input_tokens=10,
        output_tokens=0,
        latency_ms=12.5,
        cost_usd=0.001,
        error_type="RateLimitError",
        error_message="slow down",
        attributes={"user.id": "u1", "gen_ai.request.model": "gpt-4o-mini"},
    ),
    # Columns that disagree with the attributes they would be derived from.
    _log(model=None, attributes={"gen_ai.request.model": "x", "exception.type": "E"}),
    # A level that the severity fields do not imply, and no severity at all.
    _log(level="critical", severity_number=None, severity_text=None),
    _log(level="warning", severity_number=None, severity_text="WARN"),
    # Message and body combinations.
    _log(message=""),
    _log(message="", event_name="gen_ai.evaluation.result"),
    _log(message="details", event_name="custom.event"),
    _log(message='{"a":[1,2]}', body={"a": [1, 2]}),
    _log(message="a summary of the body", body={"a": [1, 2]}),
    _log(message="[]", body=[]),
    _log(service_name=None, resource_attributes=None, logger_name=None),
    _log(service_name="other", resource_attributes={"service.name": "other", "host": "h"}),
]


def test_log_records_of_every_shape_round_trip() -> None:
    assert_same_records(decode_logs(encode_logs(LOGS, []), PROTOBUF).logs, LOGS)


def test_an_sdk_log_record_round_trips_except_for_its_implied_resource() -> None:
    sdk_record = _log(resource_attributes=None, attributes={"code.line.number": 3})
    (decoded,) = decode_logs(encode_logs([sdk_record], []), PROTOBUF).logs
    assert decoded == dataclasses.replace(sdk_record, resource_attributes={"service.name": "svc"})


SAMPLES = [
    RequestSampleRecord(time=T0, model="gpt-4o", latency_s=1.0),
    RequestSampleRecord(
        time=T0 + timedelta(seconds=1),
        model="claude",
        latency_s=2.5,
        success=False,
        input_tokens=100,
        output_tokens=0,
        cost_usd=0.0,
        provider="anthropic",
        ttft_s=0.2,
        cache_hit=False,
        service_name="svc",
        trace_id=TRACE_ID,
        span_id="00f067aa0ba90202",
        attributes={"customer": "acme", "tier": 2},
    ),
]


def test_request_samples_round_trip_beside_logs() -> None:
    body = encode_logs(LOGS[:2], SAMPLES)
    decoded = decode_logs(body, PROTOBUF)
    assert_same_records(decoded.logs, LOGS[:2])
    assert_same_records(decoded.request_samples, SAMPLES)
    request = ExportLogsServiceRequest.FromString(body)
    events = [r.event_name for rl in request.resource_logs for sl in rl.scope_logs
              for r in sl.log_records]  # fmt: skip
    assert events.count("llmobs.request_sample") == 2


def test_an_integer_latency_is_sent_as_a_double() -> None:
    sample = RequestSampleRecord(time=T0, model="m", latency_s=3)
    (decoded,) = decode_logs(encode_logs([], [sample]), PROTOBUF).request_samples
    assert (type(decoded.latency_s), decoded.latency_s) == (float, 3.0)


def test_fixture_metric_points_round_trip() -> None:
    points = decode_metrics((FIXTURES / "metrics_protobuf.bin").read_bytes(), PROTOBUF).items
    assert_same_records(decode_metrics(encode_metric_points(points), PROTOBUF).items, points)


def _point(name: str, kind: str, **fields: Any) -> MetricPointRecord:
    attributes = fields.pop("attributes", {"model": "m"})
    values: dict[str, Any] = {
        "time": T0,
        "start_time": T0 - timedelta(seconds=10),
        "unit": "s",
        "description": f"{name} help",
        "service_name": "svc",
        "scope_name": "llmobs",
        "attributes": attributes,
        "resource_attributes": {"service.name": "svc"},
    }
    values.update(fields)
    key = metric_series_key(
        name,
        kind,
        values.get("temporality"),
        values["unit"],
        values["attributes"],
        values["resource_attributes"],
        values["scope_name"],
    )
    return MetricPointRecord(name=name, kind=kind, series_key=key, **values)


POINTS = [
    _point("g", "gauge", value=1.5, start_time=None),
    _point("g", "gauge", value=2, attributes={"model": "other"}),
    _point("g", "gauge", value=None, unit=None, description=None),
    _point("c", "sum", value=3, temporality="delta", is_monotonic=True),
    _point("c", "sum", value=-0.5, temporality="cumulative", is_monotonic=False),
    _point(
        "h",
        "histogram",
        temporality="delta",
        count=3,
        sum=1.5,
        min=0.1,
        max=1.0,
        explicit_bounds=[0.5, 1.0],
        bucket_counts=[1, 2, 0],
    ),  # fmt: skip
    _point("h", "histogram", temporality="delta", count=0, attributes=None),
    _point(
        "e",
        "exponential_histogram",
        temporality="cumulative",
        count=4,
        sum=9.0,
        attributes={
            "model": "m",
            EXPONENTIAL_KEY: {
                "scale": -1,
                "zero_count": 1,
                "zero_threshold": 0.0,
                "positive": {"offset": 3, "bucket_counts": [1, 2]},
                "negative": {"offset": 0, "bucket_counts": []},
            },
        },
    ),  # fmt: skip
    _point(
        "q",
        "summary",
        count=2,
        sum=3.0,
        attributes={QUANTILES_KEY: [{"quantile": 0.5, "value": 1.0}]},
    ),  # fmt: skip
    _point("g", "gauge", value=1.0, service_name="b", resource_attributes={"service.name": "b"}),
]


def test_metric_points_of_every_kind_round_trip() -> None:
    decoded = decode_metrics(encode_metric_points(POINTS), PROTOBUF).items
    key = {p.series_key + p.kind + str(p.value) + str(p.time): p for p in decoded}
    assert_same_records(
        [key[p.series_key + p.kind + str(p.value) + str(p.time)] for p in POINTS], POINTS
    )


def test_an_unknown_metric_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown kind 'counter'"):
        encode_metric_points([_point("x", "counter", value=1)])


def test_nothing_encodes_to_an_empty_request() -> None:
    for body in (encode_spans([]), encode_logs([], []), encode_metric_points([])):
        assert body == b""
