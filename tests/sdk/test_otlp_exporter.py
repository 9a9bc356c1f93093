"""The SDK exporting over OTLP/HTTP: to a live llmobs, and against a receiver that pushes back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import text

from llmobs_store.sdk import LLMLogger, LLMMetrics, LLMTracer
from llmobs_store.sdk.otlp_exporter import ExportFailed, OtlpHttpExporter, _retry_after
from tests.live_server import LiveServer


def test_tracer_metrics_and_logger_export_to_a_live_server(live_server: LiveServer) -> None:
    exporter = OtlpHttpExporter(live_server.url, export_interval_s=0.05)
    try:
        tracer = LLMTracer("remote-app", exporter=exporter)
        with tracer.span("answer"):
            with tracer.span("chat", {"llm.model": "gpt-4o-mini", "llm.tokens.input": 10}):
                pass
        metrics = LLMMetrics(exporter=exporter, service_name="remote-app")
        metrics.record_request("gpt-4o-mini", 0.5, 10, 2, 0.001, success=False)
        LLMLogger(exporter=exporter).warning("slow", model="gpt-4o-mini")
        exporter.flush(30)
    finally:
        exporter.close(30)
    with live_server.store.connect() as conn:
        spans = conn.execute(
            text("SELECT name, model, service_name FROM spans ORDER BY name")
        ).all()
        samples = conn.execute(text("SELECT model, latency_s, success FROM request_samples")).all()
        logs = conn.execute(text("SELECT level, message, model FROM logs")).all()
    assert [tuple(s) for s in spans] == [
        ("answer", None, "remote-app"),
        ("chat", "gpt-4o-mini", "remote-app"),
    ]
    assert [tuple(s) for s in samples] == [("gpt-4o-mini", 0.5, False)]
    assert [tuple(r) for r in logs] == [("warning", "slow", "gpt-4o-mini")]


class _PushBack(BaseHTTPRequestHandler):
    """Answers each POST with the next status of the server's script."""

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        server: _ScriptedServer = self.server  # type: ignore[assignment]
        self.rfile.read(int(self.headers["Content-Length"]))
        status, retry_after = server.script.pop(0) if server.script else (200, None)
        server.seen.append((self.path, status, self.headers.get("Authorization")))
        self.send_response(status)
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class _ScriptedServer(ThreadingHTTPServer):
    script: list[tuple[int, str | None]]
    seen: list[tuple[str, int, str | None]]


@pytest.fixture
def scripted() -> Iterator[_ScriptedServer]:
    server = _ScriptedServer(("127.0.0.1", 0), _PushBack)
    server.script, server.seen = [], []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _exporter(server: _ScriptedServer, waits: list[float]) -> OtlpHttpExporter:
    return OtlpHttpExporter(
        f"http://127.0.0.1:{server.server_address[1]}",
        api_key="secret",
        export_interval_s=0.01,
        max_retry_s=30,
        sleep=waits.append,
    )


def test_retries_429_and_503_honouring_retry_after(scripted: _ScriptedServer) -> None:
    scripted.script = [(503, "7"), (429, None), (200, None)]
    waits: list[float] = []
    exporter = _exporter(scripted, waits)
    try:
        tracer = LLMTracer("app", exporter=exporter)
        with tracer.span("one"):
            pass
        exporter.flush(10)
    finally:
        exporter.close(10)
    assert [status for _, status, _ in scripted.seen] == [503, 429, 200]
    assert {path for path, _, _ in scripted.seen} == {"/v1/traces"}
    assert scripted.seen[0][2] == "Bearer secret"
    assert waits[0] == 7.0 and 0.8 <= waits[1] <= 2.4  # Retry-After, then backoff with jitter


def test_a_permanent_refusal_is_not_retried(scripted: _ScriptedServer) -> None:
    scripted.script = [(400, None)]
    waits: list[float] = []
    exporter = _exporter(scripted, waits)
    try:
        tracer = LLMTracer("app", exporter=exporter)
        with tracer.span("one"):
            pass
        with pytest.raises(ExportFailed, match="HTTP 400"):
            exporter.flush(10)
    finally:
        exporter.close(10)
    assert len(scripted.seen) == 1 and waits == []
    assert tracer.num_failed_exports == 1


def test_retry_after_forms() -> None:
    assert _retry_after("3") == 3.0
    assert _retry_after(None) is None and _retry_after("soon") is None
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
