"""The official OpenTelemetry Python exporters (OTLP/HTTP protobuf) against a live llmobs."""

from __future__ import annotations

import pytest
from opentelemetry._logs import LogRecord, SeverityNumber
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import text

from tests.live_server import LiveServer

RESOURCE = Resource.create({"service.name": "otel-client"})


@pytest.mark.parametrize(
    "compression", [Compression.NoCompression, Compression.Gzip, Compression.Deflate]
)
def test_span_exporter(live_server: LiveServer, compression: Compression) -> None:
    provider = TracerProvider(resource=RESOURCE)
    exporter = OTLPSpanExporter(endpoint=live_server.url + "/v1/traces", compression=compression)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test.client")
    with tracer.start_as_current_span("POST /ask", kind=SpanKind.SERVER) as root:
        root.set_attribute("gen_ai.conversation.id", "conv-1")
        with tracer.start_as_current_span("chat gpt-4o-mini", kind=SpanKind.CLIENT) as chat:
            chat.set_attributes(
                {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.provider.name": "openai",
                    "gen_ai.request.model": "gpt-4o-mini",
                    "gen_ai.usage.input_tokens": 1200,
                    "gen_ai.usage.output_tokens": 85,
                    "gen_ai.usage.cache_read.input_tokens": 1024,
                }
            )
        with tracer.start_as_current_span("chat gpt-4o-mini", kind=SpanKind.CLIENT) as failed:
            failed.set_attribute("gen_ai.request.model", "gpt-4o-mini")
            failed.record_exception(RuntimeError("rate limited"))
            failed.set_status(Status(StatusCode.ERROR, "rate limited"))
    provider.shutdown()
    with live_server.store.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT name, kind, status, model, input_tokens, cost_usd, service_name, "
                "session_id "
                "FROM spans ORDER BY start_time"
            )
        ).all()
    assert [(r.name, r.kind, r.status) for r in rows] == [
        ("POST /ask", "server", "unset"),
        ("chat gpt-4o-mini", "client", "unset"),
        ("chat gpt-4o-mini", "client", "error"),
    ]
    assert rows[1].input_tokens == 1200 and rows[1].cost_usd == pytest.approx(0.0001542)
    assert rows[2].input_tokens is None and rows[2].cost_usd is None
    assert {r.service_name for r in rows} == {"otel-client"}
    assert rows[0].session_id == "conv-1"


def test_metric_exporter(live_server: LiveServer) -> None:
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=live_server.url + "/v1/metrics"), export_interval_millis=60_000
    )
    provider = MeterProvider(resource=RESOURCE, metric_readers=[reader])
    meter = provider.get_meter("test.client")
    tokens = meter.create_counter("app.llm.tokens", unit="{token}")
    duration = meter.create_histogram("gen_ai.client.operation.duration", unit="s")
    tokens.add(100, {"gen_ai.request.model": "gpt-4o"})
    duration.record(1.5, {"gen_ai.request.model": "gpt-4o"})
    reader.force_flush()
    tokens.add(50, {"gen_ai.request.model": "gpt-4o"})
    provider.shutdown()  # flushes the cumulative totals once more
    with live_server.store.connect() as conn:
        points = conn.execute(
            text(
                "SELECT name, kind, temporality, value, count AS num, sum AS total, model "
                "FROM metric_points "
                "ORDER BY name"
            )
        ).all()
    assert [(p.name, p.kind, p.temporality, p.model) for p in points] == [
        ("app.llm.tokens", "sum", "cumulative", "gpt-4o"),
        ("gen_ai.client.operation.duration", "histogram", "cumulative", "gpt-4o"),
    ]
    assert points[0].value == 150  # replaced, not added: 100 then 150 cumulative
    assert (points[1].num, points[1].total) == (1, 1.5)


def test_log_exporter(live_server: LiveServer) -> None:
    provider = LoggerProvider(resource=RESOURCE)
    exporter = OTLPLogExporter(endpoint=live_server.url + "/v1/logs")
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    logger = provider.get_logger("otel.client.test")
    tracer_provider = TracerProvider(resource=RESOURCE)
    with tracer_provider.get_tracer("t").start_as_current_span("work") as span:
        logger.emit(
            LogRecord(severity_text="WARN", severity_number=SeverityNumber.WARN, body="slow answer")
        )
        trace_id = format(span.get_span_context().trace_id, "032x")
    logger.emit(
        LogRecord(
            severity_number=SeverityNumber.ERROR,
            body="call failed",
            attributes={"exception.type": "ValueError", "exception.message": "bad prompt"},
        )
    )
    provider.shutdown()
    with live_server.store.connect() as conn:
        logs = conn.execute(
            text(
                "SELECT level, message, error_type, service_name, trace_id FROM logs ORDER BY time"
            )
        ).all()
    assert [(r.level, r.message) for r in logs] == [
        ("warning", "slow answer"),
        ("error", "call failed"),
    ]
    assert logs[0].trace_id == trace_id and logs[1].trace_id is None
    assert logs[1].error_type == "ValueError"
    assert {r.service_name for r in logs} == {"otel-client"}
