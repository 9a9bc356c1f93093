"""Metric points: every data kind, point validation, and stable series keys."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

from google.protobuf import json_format  # type: ignore[import-untyped]
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)

from llmobs_store.ingest.otlp import (
    EXPONENTIAL_KEY,
    JSON,
    PROTOBUF,
    QUANTILES_KEY,
    decode_metrics,
    metric_series_key,
)

T0 = 1_795_937_954_000_000_000
LABELS = [{"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}}]


def _request(*metrics: dict[str, Any], resource: dict[str, Any] | None = None) -> bytes:
    """A protobuf body of ``metrics`` written in OTLP/JSON shape (json_format's own names)."""
    document = {
        "resourceMetrics": [
            {
                "resource": resource or {"attributes": [_kv("service.name", "svc")]},
                "scopeMetrics": [{"scope": {"name": "scope"}, "metrics": list(metrics)}],
            }
        ]
    }
    request = json_format.ParseDict(document, ExportMetricsServiceRequest())
    body: bytes = request.SerializeToString()
    return body


def _kv(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


def _point(**fields: Any) -> dict[str, Any]:
    return {"attributes": LABELS, "timeUnixNano": str(T0), **fields}


def test_gauges_and_sums_keep_int_and_double_values_as_sent() -> None:
    body = _request(
        {"name": "g", "gauge": {"dataPoints": [_point(asDouble=0.5), _point(asInt="7"), _point()]}},
        {
            "name": "s",
            "unit": "{token}",
            "sum": {
                "dataPoints": [_point(asInt="3", startTimeUnixNano=str(T0 - 10**9))],
                "aggregationTemporality": 1,
                "isMonotonic": True,
            },
        },
    )
    gauge_double, gauge_int, gauge_empty, delta = decode_metrics(body, PROTOBUF).items
    assert (type(gauge_double.value), gauge_double.value) == (float, 0.5)
    assert (type(gauge_int.value), gauge_int.value) == (int, 7)
    assert gauge_empty.value is None
    assert (gauge_int.kind, gauge_int.temporality, gauge_int.is_monotonic) == ("gauge", None, None)
    assert gauge_int.start_time is None  # 0 = unset
    assert (delta.kind, delta.temporality, delta.is_monotonic) == ("sum", "delta", True)
    assert delta.start_time == datetime.fromtimestamp(T0 // 10**9 - 1, UTC)
    assert (delta.unit, delta.service_name, delta.scope_name) == ("{token}", "svc", "scope")
    assert delta.model == "gpt-4o"
    # Same metric, same labels: one series, whichever value type a point carries.
    assert gauge_double.series_key == gauge_int.series_key != delta.series_key


def test_histogram_points_keep_their_own_bounds_and_optional_stats() -> None:
    body = _request(
        {
            "name": "h",
            "histogram": {
                "aggregationTemporality": 2,
                "dataPoints": [
                    _point(
                        count="2",
                        sum=1.5,
                        min=0.5,
                        max=1.0,
                        explicitBounds=[1.0],
                        bucketCounts=["1", "1"],
                    ),  # fmt: skip
                    _point(count="1", explicitBounds=[0.1, 10.0], bucketCounts=["0", "1", "0"]),
                    _point(count="4"),
                ],
            },
        }
    )
    full, no_stats, no_buckets = decode_metrics(body, PROTOBUF).items
    assert (full.count, full.sum, full.min, full.max) == (2, 1.5, 0.5, 1.0)
    assert (full.explicit_bounds, full.bucket_counts) == ([1.0], [1, 1])
    assert (no_stats.sum, no_stats.min, no_stats.max) == (None, None, None)
    assert no_stats.explicit_bounds == [0.1, 10.0]
    assert (no_buckets.count, no_buckets.explicit_bounds, no_buckets.bucket_counts) == (
        4,
        None,
        None,
    )
    assert full.temporality == "cumulative"
    assert full.series_key == no_stats.series_key == no_buckets.series_key


def test_exponential_histograms_keep_their_buckets_in_attributes() -> None:
    point = _point(
        count="5",
        sum=12.5,
        scale=3,
        zeroCount="1",
        zeroThreshold=0.001,
        positive={"offset": -2, "bucketCounts": ["1", "2"]},
        negative={"offset": 4, "bucketCounts": ["1"]},
        min=-3.0,
        max=9.0,
    )
    body = _request(
        {"name": "e", "exponentialHistogram": {"aggregationTemporality": 1, "dataPoints": [point]}}
    )
    (decoded,) = decode_metrics(body, PROTOBUF).items
    assert (decoded.kind, decoded.temporality) == ("exponential_histogram", "delta")
    assert (decoded.count, decoded.sum, decoded.min, decoded.max) == (5, 12.5, -3.0, 9.0)
    assert decoded.attributes == {
        "gen_ai.request.model": "gpt-4o",
        EXPONENTIAL_KEY: {
            "scale": 3,
            "zero_count": 1,
            "zero_threshold": 0.001,
            "positive": {"offset": -2, "bucket_counts": [1, 2]},
            "negative": {"offset": 4, "bucket_counts": [1]},
        },
    }
    # The buckets are data, not identity: the key is that of the labels alone.
    assert decoded.series_key == metric_series_key(
        "e", "exponential_histogram", "delta", None, {"gen_ai.request.model": "gpt-4o"},
        {"service.name": "svc"}, "scope",
    )  # fmt: skip


def test_summaries_keep_count_sum_and_quantiles() -> None:
    quantiles = [{"quantile": 0.5, "value": 1.0}, {"quantile": 0.99, "value": 4.0}]
    body = _request(
        {
            "name": "q",
            "summary": {"dataPoints": [_point(count="9", sum=18.0, quantileValues=quantiles)]},
        }
    )
    (decoded,) = decode_metrics(body, PROTOBUF).items
    assert (decoded.kind, decoded.count, decoded.sum, decoded.value) == ("summary", 9, 18.0, None)
    assert decoded.attributes is not None
    assert decoded.attributes[QUANTILES_KEY] == quantiles


def test_bad_points_are_rejected_and_the_rest_kept() -> None:
    body = _request(
        {
            "name": "h",
            "histogram": {
                "dataPoints": [
                    _point(count="1", explicitBounds=[1.0], bucketCounts=["1", "0", "0"]),
                    _point(count="1", explicitBounds=[1.0], bucketCounts=["0", "1"]),
                ]
            },
        },
        {"name": "g", "gauge": {"dataPoints": [{"asInt": "1"}, _point(asInt="2")]}},
        {"name": "no data"},
    )
    decoded = decode_metrics(body, PROTOBUF)
    assert [(p.name, p.count or p.value) for p in decoded.items] == [("h", 1), ("g", 2)]
    assert decoded.num_rejected == 2
    assert decoded.rejection_message == (
        "2 data points rejected: h: bucket_counts must have len(explicit_bounds) + 1 = 2 "
        "entries (got 3); g: time_unix_nano must be set"
    )


def test_series_keys_depend_on_identity_not_on_order_or_values() -> None:
    def key(**changes: Any) -> str:
        fields: dict[str, Any] = {
            "name": "m",
            "kind": "sum",
            "temporality": "delta",
            "unit": "s",
            "attributes": {"a": 1, "b": [1, {"y": 2, "x": 1}]},
            "resource_attributes": {"service.name": "svc", "host": "h"},
            "scope_name": "scope",
        }
        fields.update(changes)
        return metric_series_key(**fields)

    base = key()
    reordered = key(
        attributes={"b": [1, {"x": 1, "y": 2}], "a": 1},
        resource_attributes={"host": "h", "service.name": "svc"},
    )
    assert base == reordered
    assert base == key(attributes={"a": 1, "b": [1, {"y": 2, "x": 1}], QUANTILES_KEY: []})
    for change in (
        {"name": "n"},
        {"kind": "gauge"},
        {"temporality": "cumulative"},
        {"unit": "ms"},
        {"attributes": {"a": 2}},
        {"resource_attributes": {"service.name": "other"}},
        {"scope_name": None},
    ):
        assert key(**change) != base, change


def test_series_keys_are_the_same_in_another_process() -> None:
    args = ("m", "sum", "delta", "s", {"é": 1.5, "a": True}, {"service.name": "svc"}, "scope")
    script = (
        "import json, sys; from llmobs_store.ingest.otlp import metric_series_key as k; "
        "print(k(*json.loads(sys.argv[1])))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script, json.dumps(args)], capture_output=True, text=True, check=True
    )
    assert other.stdout.strip() == metric_series_key(*args)


def test_a_json_body_with_numbers_for_counts_decodes() -> None:
    document = {
        "resourceMetrics": [
            {
                "scopeMetrics": [
                    {
                        "metrics": [
                            {
                                "name": "h",
                                "histogram": {
                                    "aggregationTemporality": 2,
                                    "dataPoints": [
                                        {
                                            "timeUnixNano": str(T0),
                                            "count": 3,
                                            "bucketCounts": [1, 2],
                                            "explicitBounds": [5],
                                            "exemplars": [
                                                {"traceId": "AB" * 16, "spanId": "CD" * 8}
                                            ],
                                        }
                                    ],
                                },
                            }
                        ]
                    }
                ]
            }
        ]
    }
    (point,) = decode_metrics(json.dumps(document).encode(), JSON).items
    assert (point.count, point.bucket_counts, point.explicit_bounds) == (3, [1, 2], [5.0])
    assert point.resource_attributes is None and point.service_name is None
