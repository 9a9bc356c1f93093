"""Spans: id and time validation with partial rejection, kinds, statuses, JSON id spellings."""

from __future__ import annotations

import json
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from llmobs_store.ingest.otlp import JSON, PROTOBUF, decode_traces

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def json_spans(*overrides: dict[str, Any]) -> bytes:
    """An OTLP/JSON body with one valid span per ``overrides`` dict, changed by it."""
    spans = []
    for fields in overrides:
        span: dict[str, Any] = {
            "traceId": TRACE_ID,
            "spanId": "00f067aa0ba90201",
            "name": "s",
            "startTimeUnixNano": "1736935200000000000",
            "endTimeUnixNano": "1736935201000000000",
        }
        if any(k in fields for k in ("trace_id", "span_id")):
            span.pop("traceId")
            span.pop("spanId")
        span.update(fields)
        spans.append(span)
    return json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}).encode()


def span_message(**fields: Any) -> Span:
    """A valid protobuf span, with ``fields`` changed."""
    values: dict[str, Any] = {
        "trace_id": bytes.fromhex(TRACE_ID),
        "span_id": bytes.fromhex("00f067aa0ba90201"),
        "name": "ok",
        "start_time_unix_nano": 1_736_935_200_000_000_000,
        "end_time_unix_nano": 1_736_935_201_000_000_000,
    }
    values.update(fields)
    return Span(**values)


def traces_body(*spans: Span) -> bytes:
    """A protobuf ExportTraceServiceRequest body of ``spans``."""
    request = ExportTraceServiceRequest()
    request.resource_spans.add().scope_spans.add().spans.extend(spans)
    body: bytes = request.SerializeToString()
    return body


def test_snake_case_id_keys_are_hex_too() -> None:
    body = json_spans({"trace_id": "AB" * 16, "span_id": "cd" * 8, "parent_span_id": "ef" * 8})
    (span,) = decode_traces(body, JSON).items
    assert (span.trace_id, span.span_id, span.parent_span_id) == ("ab" * 16, "cd" * 8, "ef" * 8)


def test_invalid_spans_are_counted_and_their_valid_siblings_kept() -> None:
    body = traces_body(
        span_message(name="kept"),
        span_message(span_id=b"\x01\x02\x03"),
        span_message(trace_id=bytes(16)),
        span_message(end_time_unix_nano=1_736_935_199_000_000_000),
        span_message(parent_span_id=b"\x01" * 4),
        span_message(span_id=b"\x09\x08\x07"),
        span_message(name="zero parent is root", parent_span_id=bytes(8)),
        span_message(start_time_unix_nano=0, end_time_unix_nano=0),
    )
    decoded = decode_traces(body, PROTOBUF)
    assert [s.name for s in decoded.items] == ["kept", "zero parent is root"]
    assert decoded.items[1].parent_span_id is None
    assert decoded.num_rejected == 6
    assert decoded.rejection_message == (
        "6 spans rejected: span_id must be 8 bytes (got 3); trace_id must not be all zeros; "
        "end_time_unix_nano is before start_time_unix_nano; and 2 other reasons"
    )


def test_a_json_id_of_the_wrong_length_rejects_only_itsspan_message() -> None:
    decoded = decode_traces(json_spans({}, {"spanId": "abc123"}), JSON)
    assert len(decoded.items) == 1
    assert decoded.rejection_message == "1 span rejected: span_id must be 8 bytes (got 3)"


def test_span_kinds_statuses_and_unknown_enum_numbers() -> None:
    kinds = [span_message(kind=n, status={"code": n % 4, "message": f"m{n}"}) for n in range(7)]
    decoded = decode_traces(traces_body(*kinds), PROTOBUF)
    assert [s.kind for s in decoded.items] == [
        "internal", "internal", "server", "client", "producer", "consumer", "internal"
    ]  # fmt: skip
    assert [s.status for s in decoded.items] == [
        "unset", "ok", "error", "unset", "unset", "ok", "error"
    ]  # fmt: skip
    empty_message = decode_traces(traces_body(span_message(status={"code": 2})), PROTOBUF).items[0]
    assert empty_message.status_message is None
