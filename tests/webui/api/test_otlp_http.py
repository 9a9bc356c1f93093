"""OTLP/HTTP over a real server: captured exporter bodies, official SDK exporters, bad input."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from google.rpc.status_pb2 import Status
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from sqlalchemy import text

from llmobs_store.config import Settings
from llmobs_store.store import Store
from tests.conftest import count_rows
from tests.fixture_files import OTLP_FIXTURES
from tests.live_server import LiveServer, serving_new_store

FIXTURES = OTLP_FIXTURES
PROTOBUF = "application/x-protobuf"


def expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "expected" / f"{name}.json").read_text())
    return data


def post_fixture(server: LiveServer, file_name: str) -> requests.Response:
    """POST a captured body exactly as its exporter did."""
    facts = expected(file_name.rsplit(".", 1)[0])
    request = facts["request"]
    headers = {"Content-Type": request["content-type"]}
    if request.get("content-encoding"):
        headers["Content-Encoding"] = request["content-encoding"]
    return requests.post(
        server.url + request.get("path", f"/v1/{facts['signal']}"),  # MANIFEST's default
        data=(FIXTURES / file_name).read_bytes(),
        headers=headers,
        timeout=30,
    )


def rows(store: Store, sql: str) -> list[Any]:
    with store.connect() as conn:
        return list(conn.execute(text(sql)))


@pytest.mark.parametrize(
    "file_name",
    ["traces_genai_protobuf.bin", "traces_genai_gzip.bin", "traces_genai_canonical.json"],
)
def test_genai_trace_fixture(live_server: LiveServer, file_name: str) -> None:
    response = post_fixture(live_server, file_name)
    assert response.status_code == 200, response.content
    media = expected(file_name.rsplit(".", 1)[0])["request"]["content-type"]
    assert response.headers["Content-Type"] == media
    if media == PROTOBUF:
        assert not ExportTraceServiceResponse.FromString(response.content).HasField(
            "partial_success"
        )
    else:
        assert response.json() == {}

    spans = {
        r.span_id: r
        for r in rows(
            live_server.store,
            "SELECT span_id, parent_span_id, name, kind, status, model, request_model, provider, "
            "input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, error_type, "
            "cost_usd, links, events, session_id, service_name FROM spans",
        )
    }
    facts = expected("traces_genai_protobuf")
    assert set(spans) == {s["span_id"] for s in facts["spans"]}
    for span in facts["spans"]:
        stored = spans[span["span_id"]]
        assert stored.parent_span_id == span["parent_span_id"]
        assert stored.name == span["name"] and stored.kind == span["kind"].lower()
        assert stored.service_name == "fixture-rag-app"
        derived = span["derived"]
        assert (stored.model, stored.input_tokens, stored.output_tokens) == (
            derived["model"],
            derived["input_tokens"],
            derived["output_tokens"],
        )
    root = spans["00f067aa0ba90201"]
    assert root.parent_span_id is None and root.session_id == "conv_fixture_0001"
    assert root.links[0]["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    chat = next(s for s in spans.values() if s.request_model == "gpt-4o-mini" and s.input_tokens)
    assert chat.cache_read_tokens == 1024 and chat.provider == "openai"
    # genai-prices: 176 uncached × $0.15/M + 1024 cached × $0.075/M + 85 × $0.60/M.
    assert chat.cost_usd == pytest.approx(0.0001542, rel=1e-9)
    claude = next(s for s in spans.values() if s.provider == "anthropic")
    assert (claude.cache_read_tokens, claude.cache_write_tokens) == (1800, 200)
    assert claude.cost_usd == pytest.approx(0.00384, rel=1e-9)
    failed = spans["00f067aa0ba90206"]
    assert failed.status == "error" and failed.input_tokens is None and failed.cost_usd is None
    tool = next(s for s in spans.values() if s.name == "execute_tool get_weather")
    assert tool.error_type == "TimeoutError"
    assert [e["name"] for e in tool.events] == ["exception"]
    summary = rows(live_server.store, "SELECT num_spans, num_errors, name FROM traces")
    assert [tuple(s) for s in summary] == [(6, 2, "POST /v1/answer")]


def test_redelivered_export_is_stored_once(live_server: LiveServer) -> None:
    for _ in range(3):
        assert post_fixture(live_server, "traces_genai_protobuf.bin").status_code == 200
    assert post_fixture(live_server, "traces_genai_canonical.json").status_code == 200
    assert count_rows(live_server.store, "spans") == 6
    assert rows(live_server.store, "SELECT num_spans FROM traces")[0][0] == 6


def test_openinference_fixture(live_server: LiveServer) -> None:
    assert post_fixture(live_server, "traces_openinference_protobuf.bin").status_code == 200
    llm = rows(
        live_server.store,
        "SELECT model, provider, input_tokens, output_tokens, session_id, user_id, span_type, "
        "input_text FROM spans WHERE name = 'ChatCompletion' AND input_tokens IS NOT NULL "
        "ORDER BY input_tokens",
    )
    assert [(r.model, r.provider, r.input_tokens, r.output_tokens) for r in llm] == [
        ("gpt-4o-mini-2024-07-18", "openai", 30, 5),
        ("gpt-4o-mini-2024-07-18", "openai", 42, 9),
    ]
    assert {(r.session_id, r.user_id, r.span_type) for r in llm} == {
        ("sess-fixture-1", "user-42", "llm")
    }
    assert all(r.input_text for r in llm)


@pytest.mark.parametrize("file_name", ["metrics_protobuf.bin", "metrics_canonical.json"])
def test_metric_fixture_twice_does_not_double_count(
    live_server: LiveServer, file_name: str
) -> None:
    for _ in range(2):  # exporters flush cumulative data again at shutdown
        assert post_fixture(live_server, file_name).status_code == 200
    histogram = rows(
        live_server.store,
        "SELECT count, sum, temporality, explicit_bounds FROM metric_points "
        "WHERE name = 'gen_ai.client.operation.duration' ORDER BY count DESC, sum DESC",
    )
    assert [(r.count, round(r.sum, 2)) for r in histogram] == [(3, 4.52), (1, 1.44), (1, 0.03)]
    assert {r.temporality for r in histogram} == {"cumulative"}
    assert histogram[0].explicit_bounds[0] == 0.01 and len(histogram[0].explicit_bounds) == 14
    names = {r.name for r in rows(live_server.store, "SELECT DISTINCT name FROM metric_points")}
    assert names == set(expected("metrics_protobuf")["metric_names"])


@pytest.mark.parametrize("file_name", ["logs_protobuf.bin", "logs_canonical.json"])
def test_log_fixture(live_server: LiveServer, file_name: str) -> None:
    assert post_fixture(live_server, file_name).status_code == 200
    logs = rows(
        live_server.store,
        "SELECT level, severity_text, trace_id, span_id, event_name FROM logs ORDER BY time, id",
    )
    assert len(logs) == 5
    assert {r.level for r in logs} >= {"info", "warning", "error", "debug"}
    warn = next(r for r in logs if r.severity_text == "WARN")
    assert warn.level == "warning"
    debug = next(r for r in logs if r.level == "debug")
    assert debug.trace_id is None and debug.span_id is None
    correlated = {r.span_id for r in logs if r.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"}
    assert correlated <= {"00f067aa0ba90202", "00f067aa0ba90201"} and correlated
    assert any(r.event_name == "gen_ai.client.inference.operation.details" for r in logs)


def _traces_body(**span_fields: Any) -> bytes:
    request = ExportTraceServiceRequest()
    span = request.resource_spans.add().scope_spans.add().spans.add()
    span.trace_id = bytes.fromhex("4bf92f3577b34da6a3ce929d0e0e4736")
    span.span_id = bytes.fromhex("00f067aa0ba90299")
    span.name = "ok span"
    span.start_time_unix_nano = 1_736_935_200_000_000_000
    span.end_time_unix_nano = 1_736_935_201_000_000_000
    for key, value in span_fields.items():
        setattr(span, key, value)
    return bytes(request.SerializeToString())


def test_invalid_ids_are_a_partial_success(live_server: LiveServer) -> None:
    request = ExportTraceServiceRequest.FromString(_traces_body())
    bad = request.resource_spans[0].scope_spans[0].spans.add()
    bad.CopyFrom(request.resource_spans[0].scope_spans[0].spans[0])
    bad.span_id = b"\x01\x02\x03"
    response = requests.post(
        live_server.url + "/v1/traces",
        data=request.SerializeToString(),
        headers={"Content-Type": PROTOBUF},
        timeout=30,
    )
    assert response.status_code == 200
    partial = ExportTraceServiceResponse.FromString(response.content).partial_success
    assert partial.rejected_spans == 1 and "span" in partial.error_message
    assert count_rows(live_server.store, "spans") == 1


def _post(server: LiveServer, body: bytes, content_type: str, **headers: str) -> requests.Response:
    return requests.post(
        server.url + "/v1/traces",
        data=body,
        headers={"Content-Type": content_type, **headers},
        timeout=60,
    )


def _status_message(response: requests.Response) -> str:
    return str(Status.FromString(response.content).message)


def test_bad_inputs_get_the_right_4xx_and_nothing_is_stored(live_server: LiveServer) -> None:
    good = _traces_body()
    truncated = _post(live_server, good[: len(good) // 2], PROTOBUF)
    assert truncated.status_code == 400 and _status_message(truncated)
    assert _post(live_server, b"\xff\x00garbage" * 10, PROTOBUF).status_code == 400
    assert _post(live_server, good, "text/plain").status_code == 415
    assert _post(live_server, good, PROTOBUF, **{"Content-Encoding": "br"}).status_code == 415
    assert (
        _post(live_server, b"not gzip", PROTOBUF, **{"Content-Encoding": "gzip"}).status_code == 400
    )
    bad_json = _post(live_server, b'{"resourceSpans": 5}', "application/json")
    assert bad_json.status_code == 400 and "application/json" in bad_json.headers["Content-Type"]
    invalid_utf8 = _post(live_server, b'{"resourceSpans": [{"x": "\xff"}]}', "application/json")
    assert invalid_utf8.status_code in (400, 422)
    nested = '{"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": [{"key": "k", "value": '
    nested += '{"arrayValue": {"values": [' * 5_000 + "]}}" * 5_000 + "}]}]}]}]}"
    assert _post(live_server, nested.encode(), "application/json").status_code == 400
    assert count_rows(live_server.store, "spans") == 0
    # The server is still up and stores a good request.
    assert _post(live_server, good, PROTOBUF).status_code == 200
    assert count_rows(live_server.store, "spans") == 1


def test_deflate_and_a_large_attribute_are_accepted(live_server: LiveServer) -> None:
    body = _traces_body()
    assert _post(live_server, zlib.compress(body), PROTOBUF, **{"Content-Encoding": "deflate"}).ok
    request = ExportTraceServiceRequest.FromString(body)
    span = request.resource_spans[0].scope_spans[0].spans[0]
    span.span_id = bytes.fromhex("00f067aa0ba902aa")
    attribute = span.attributes.add()
    attribute.key, attribute.value.string_value = "big", "x" * 10_000_000
    assert _post(live_server, request.SerializeToString(), PROTOBUF).status_code == 200
    stored = rows(
        live_server.store,
        "SELECT length(attributes->>'big') FROM spans WHERE attributes->>'big' IS NOT NULL",
    )
    assert stored[0][0] == 10_000_000


@pytest.fixture
def small_limit_server(database_url: str, settings: Settings) -> Iterator[LiveServer]:
    with serving_new_store(database_url, settings.replace(max_request_mb=1.0)) as live:
        yield live


def test_oversize_bodies_and_gzip_bombs_are_413(small_limit_server: LiveServer) -> None:
    oversize = _post(small_limit_server, b"\x00" * 2_000_000, PROTOBUF)
    assert oversize.status_code == 413
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    bomb = b"".join(compressor.compress(b"\x00" * 1_048_576) for _ in range(512))
    bomb += compressor.flush()  # 512 MiB of zeros in about 0.5 MB
    assert len(bomb) < 1_000_000
    response = _post(small_limit_server, bomb, PROTOBUF, **{"Content-Encoding": "gzip"})
    assert response.status_code == 413
    assert "after decompression" in _status_message(response)
    assert gzip.decompress(gzip.compress(b"ok")) == b"ok"
    assert requests.get(small_limit_server.url + "/health", timeout=30).ok
