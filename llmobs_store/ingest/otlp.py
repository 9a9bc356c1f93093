"""OTLP/HTTP in one import: pure decoders, response bodies, and encoders for the SDK exporter.

The work is split by signal (``otlp_traces``, ``otlp_metrics``, ``otlp_logs``), wire format
(``otlp_json``, ``otlp_values``) and direction (``otlp_encode*``, ``otlp_response``).

>>> decoded = decode_traces(body, media_type("application/x-protobuf"))  # doctest: +SKIP
>>> encode_export_response("traces", "application/x-protobuf",
...                        decoded.num_rejected, decoded.rejection_message)  # doctest: +SKIP
"""

from __future__ import annotations

from llmobs_store.ingest.otlp_encode import encode_logs, encode_spans
from llmobs_store.ingest.otlp_encode_metrics import encode_metric_points
from llmobs_store.ingest.otlp_logs import decode_logs, level_for
from llmobs_store.ingest.otlp_metrics import (
    EXPONENTIAL_KEY,
    QUANTILES_KEY,
    decode_metrics,
    metric_series_key,
)
from llmobs_store.ingest.otlp_request import JSON, PROTOBUF, Decoded, DecodedLogs
from llmobs_store.ingest.otlp_response import encode_export_response, encode_status
from llmobs_store.ingest.otlp_samples import REQUEST_SAMPLE_EVENT
from llmobs_store.ingest.otlp_traces import decode_traces
from llmobs_store.ingest.payload import media_type, read_body

__all__ = [
    "EXPONENTIAL_KEY",
    "JSON",
    "PROTOBUF",
    "QUANTILES_KEY",
    "REQUEST_SAMPLE_EVENT",
    "Decoded",
    "DecodedLogs",
    "decode_logs",
    "decode_metrics",
    "decode_traces",
    "encode_export_response",
    "encode_logs",
    "encode_metric_points",
    "encode_spans",
    "encode_status",
    "level_for",
    "media_type",
    "metric_series_key",
    "read_body",
]
