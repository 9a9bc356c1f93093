"""OTLP/HTTP export requests (protobuf or JSON): decode, queue, answer after the commit."""

from __future__ import annotations

from flask import Response, current_app

from llmobs_store.ingest.otlp import decode_logs, decode_metrics, encode_export_response
from llmobs_store.ingest.records import Record
from llmobs_store.ingest.trace_requests import TracePreparationPool, prepare_in_process
from webui.app_context import current_store

COMMIT_TIMEOUT_S = 30.0


def export_traces(body: bytes, media: str) -> Response:
    """``ExportTraceServiceRequest`` → spans; 200 only once they are committed."""
    store = current_store()
    pool: TracePreparationPool | None = current_app.extensions.get("llmobs_trace_pool")
    committed = None
    with store.expect():
        if pool is not None:
            prepared = pool.prepare(body, media, store.pricer)
        else:
            prepared = prepare_in_process(body, media, store.pricer, store.content_policy)
        if prepared.spans is not None:
            committed = store.submit_tables({"spans": prepared.spans})
    if committed is not None:
        committed.result(COMMIT_TIMEOUT_S)
    return _answer("traces", media, prepared.num_rejected, prepared.rejection_message)


def export_metrics(body: bytes, media: str) -> Response:
    """``ExportMetricsServiceRequest`` → metric points."""
    decoded = decode_metrics(body, media)
    if decoded.items:
        current_store().submit(decoded.items).result(COMMIT_TIMEOUT_S)
    return _answer("metrics", media, decoded.num_rejected, decoded.rejection_message)


def export_logs(body: bytes, media: str) -> Response:
    """``ExportLogsServiceRequest`` → log entries (and request samples sent as log events)."""
    decoded = decode_logs(body, media)
    records: list[Record] = [*decoded.logs, *decoded.request_samples]
    if records:
        current_store().submit(records).result(COMMIT_TIMEOUT_S)
    return _answer("logs", media, decoded.num_rejected, decoded.rejection_message)


def _answer(signal: str, media: str, num_rejected: int, message: str | None) -> Response:
    body = encode_export_response(signal, media, num_rejected, message)
    return Response(body, 200, content_type=media)
