"""Whole requests: empty, undecodable, too deeply nested, or of a media type not spoken here."""

from __future__ import annotations

import pytest

from llmobs_store.errors import IngestRejected, UnsupportedMediaType
from llmobs_store.ingest.otlp import JSON, PROTOBUF, decode_logs, decode_metrics, decode_traces
from tests.fixture_files import OTLP_FIXTURES
from tests.ingest.test_otlp_traces import json_spans, span_message

FIXTURES = OTLP_FIXTURES


@pytest.mark.parametrize("body", [b"", b"{}"])
def test_an_empty_request_is_a_success_with_nothing_in_it(body: bytes) -> None:
    kind = JSON if body else PROTOBUF
    for decoded in (decode_traces(body, kind), decode_metrics(body, kind)):
        assert (decoded.items, decoded.num_rejected, decoded.rejection_message) == ([], 0, None)
    logs = decode_logs(body, kind)
    assert (logs.logs, logs.request_samples, logs.num_rejected) == ([], [], 0)


def _deep_json(levels: int) -> bytes:
    value = '{"stringValue": "leaf"}'
    for _ in range(levels):
        value = '{"arrayValue": {"values": [' + value + "]}}"
    span = json_spans({"attributes": [{"key": "deep", "value": "PLACEHOLDER"}]})
    return span.replace(b'"PLACEHOLDER"', value.encode())


def _deep_protobuf(levels: int) -> bytes:
    """A span whose one attribute nests ``levels`` arrays, encoded by hand (no recursion)."""
    value = _field(1, b"leaf")  # AnyValue.string_value
    for _ in range(levels):
        value = _field(5, _field(1, value))  # AnyValue.array_value{values: [value]}
    # Fields may come in any order: the span's own, then attribute 9 = KeyValue(key, value).
    span = span_message().SerializeToString() + _field(9, _field(1, b"deep") + _field(2, value))
    return _field(1, _field(2, _field(2, span)))  # resource_spans.scope_spans.spans


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


@pytest.mark.parametrize("body", [_deep_json(20), _deep_protobuf(20)])
def test_moderately_nested_values_decode(body: bytes) -> None:
    (span,) = decode_traces(body, JSON if body.startswith(b"{") else PROTOBUF).items
    value = span.attributes["deep"]
    for _ in range(20):
        (value,) = value
    assert value == "leaf"


@pytest.mark.parametrize("levels", [60, 500, 10_000])
def test_deeply_nested_values_are_rejected_not_a_crash(levels: int) -> None:
    with pytest.raises(IngestRejected):
        decode_traces(_deep_json(levels), JSON)


@pytest.mark.parametrize("levels", [60, 10_000])
def test_deeply_nested_protobuf_is_rejected_not_a_crash(levels: int) -> None:
    with pytest.raises(IngestRejected, match="not a valid protobuf"):
        decode_traces(_deep_protobuf(levels), PROTOBUF)


GARBAGE = [
    (PROTOBUF, (FIXTURES / "traces_genai_protobuf.bin").read_bytes()[:-100], "protobuf"),
    (PROTOBUF, b"\xff\xff\xff\xff\xff\xff", "protobuf"),
    (PROTOBUF, b"not a protobuf message", "protobuf"),
    (JSON, b'{"resourceSpans": [', "not valid JSON"),
    (JSON, b"\xff\xfe{}", "not valid JSON"),
    (JSON, b'{"resourceSpans": [{"resource": {"attributes": "\xc3\x28"}}]}', "not valid JSON"),
    (JSON, b"[]", "must be a JSON object"),
    (JSON, b'{"resourceSpans": 5}', "not a valid OTLP/JSON"),
    (JSON, b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": 7}]}]}]}', "OTLP/JSON"),
    (JSON, b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"kind": {}}]}]}]}', "kind field"),
    (JSON, json_spans({"startTimeUnixNano": "soon"}), "OTLP/JSON"),
    (JSON, json_spans({"traceId": "not hex at all"}), "must be a hex string"),
    (JSON, json_spans({"spanId": 12}), "OTLP/JSON"),
]


@pytest.mark.parametrize(("kind", "body", "message"), GARBAGE)
def test_undecodable_bodies_are_rejected_with_a_clear_message(
    kind: str, body: bytes, message: str
) -> None:
    with pytest.raises(IngestRejected, match=message):
        decode_traces(body, kind)


def test_a_truncated_metrics_or_logs_body_is_rejected() -> None:
    for name, decode in (("metrics", decode_metrics), ("logs", decode_logs)):
        body = (FIXTURES / f"{name}_protobuf.bin").read_bytes()
        with pytest.raises(IngestRejected):
            decode(body[: len(body) // 2], PROTOBUF)


@pytest.mark.parametrize("kind", ["text/plain", "application/protobuf", "", "application/xml"])
def test_other_media_types_are_unsupported(kind: str) -> None:
    with pytest.raises(UnsupportedMediaType, match="Content-Type"):
        decode_traces(b"{}", kind)
