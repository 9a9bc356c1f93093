"""OTLP metric requests (protobuf or JSON) → one ``MetricPointRecord`` per data point."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    ExponentialHistogramDataPoint,
    HistogramDataPoint,
    Metric,
    NumberDataPoint,
    SummaryDataPoint,
)

from llmobs_store.ingest.otlp_request import Decoded, Rejections, parse_request
from llmobs_store.ingest.otlp_values import (
    attributes_dict,
    datetime_from_nanos,
    optional_datetime_from_nanos,
    optional_str,
)
from llmobs_store.ingest.records import MetricPointRecord

# Point data that has no column of its own rides in ``attributes`` under these keys
# (never part of the series identity): exponential buckets, and summary quantiles.
EXPONENTIAL_KEY = "_exponential"
QUANTILES_KEY = "_quantiles"
DATA_KEYS = (EXPONENTIAL_KEY, QUANTILES_KEY)
# AggregationTemporality by number: 0 unspecified, 1 delta, 2 cumulative.
_TEMPORALITIES = (None, "delta", "cumulative")
_MODEL_KEYS = ("gen_ai.response.model", "gen_ai.request.model")

AnyPoint = NumberDataPoint | HistogramDataPoint | ExponentialHistogramDataPoint | SummaryDataPoint


def decode_metrics(body: bytes, media_type: str) -> Decoded[MetricPointRecord]:
    """The data points of an ``ExportMetricsServiceRequest``, one record each."""
    request = parse_request(body, media_type, ExportMetricsServiceRequest)
    points: list[MetricPointRecord] = []
    rejections = Rejections("data point")
    for resource_metrics in request.resource_metrics:
        resource = attributes_dict(resource_metrics.resource.attributes)
        service_name = optional_str(resource.get("service.name"))
        for scope_metrics in resource_metrics.scope_metrics:
            scope_name = scope_metrics.scope.name or None
            for metric in scope_metrics.metrics:
                _decode_metric(metric, resource, service_name, scope_name, points, rejections)
    return Decoded(points, rejections.count, rejections.message())


def metric_series_key(
    name: str,
    kind: str,
    temporality: str | None,
    unit: str | None,
    attributes: Mapping[str, Any] | None,
    resource_attributes: Mapping[str, Any] | None,
    scope_name: str | None,
) -> str:
    """A stable 64-hex-character id of one time series: the same inputs give the same key in
    any request and any process (keys sorted; the data keys in ``DATA_KEYS`` left out)."""
    labels = {k: v for k, v in (attributes or {}).items() if k not in DATA_KEYS}
    identity = [name, kind, temporality, unit, labels, dict(resource_attributes or {}), scope_name]
    encoded = json.dumps(
        identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(encoded.encode()).hexdigest()


def _decode_metric(
    metric: Metric,
    resource: dict[str, Any],
    service_name: str | None,
    scope_name: str | None,
    out: list[MetricPointRecord],
    rejections: Rejections,
) -> None:
    data = metric.WhichOneof("data")
    temporality: str | None = None
    is_monotonic: bool | None = None
    data_points: Any
    if data == "gauge":
        data_points = metric.gauge.data_points
    elif data == "sum":
        data_points = metric.sum.data_points
        temporality = _temporality(metric.sum.aggregation_temporality)
        is_monotonic = metric.sum.is_monotonic
    elif data == "histogram":
        data_points = metric.histogram.data_points
        temporality = _temporality(metric.histogram.aggregation_temporality)
    elif data == "exponential_histogram":
        data_points = metric.exponential_histogram.data_points
        temporality = _temporality(metric.exponential_histogram.aggregation_temporality)
    elif data == "summary":
        data_points = metric.summary.data_points
    else:
        return  # a metric without data carries no points to store
    for point in data_points:
        if not point.time_unix_nano:
            rejections.add(f"{metric.name}: time_unix_nano must be set")
            continue
        attributes = attributes_dict(point.attributes)
        columns = _point_columns(point, attributes)
        if isinstance(columns, str):
            rejections.add(f"{metric.name}: {columns}")
            continue
        unit = metric.unit or None
        out.append(
            MetricPointRecord(
                name=metric.name,
                kind=data,
                series_key=metric_series_key(
                    metric.name, data, temporality, unit, attributes, resource, scope_name
                ),
                time=datetime_from_nanos(point.time_unix_nano),
                start_time=optional_datetime_from_nanos(point.start_time_unix_nano),
                temporality=temporality,
                is_monotonic=is_monotonic,
                unit=unit,
                description=metric.description or None,
                service_name=service_name,
                scope_name=scope_name,
                model=_model(attributes),
                attributes=attributes or None,
                resource_attributes=dict(resource) or None,
                **columns,
            )
        )


def _point_columns(point: AnyPoint, attributes: dict[str, Any]) -> dict[str, Any] | str:
    """The value columns of one point (adding data keys to ``attributes``), or why it is bad."""
    if isinstance(point, NumberDataPoint):
        which = point.WhichOneof("value")
        return {"value": None if which is None else getattr(point, which)}
    if isinstance(point, HistogramDataPoint):
        bounds = list(point.explicit_bounds)
        counts = list(point.bucket_counts)
        if counts and len(counts) != len(bounds) + 1:
            return (
                f"bucket_counts must have len(explicit_bounds) + 1 = {len(bounds) + 1} entries "
                f"(got {len(counts)})"
            )
        return {
            "count": point.count,
            "explicit_bounds": bounds or None,
            "bucket_counts": counts or None,
            **_optional_stats(point),
        }
    if isinstance(point, ExponentialHistogramDataPoint):
        attributes[EXPONENTIAL_KEY] = {
            "scale": point.scale,
            "zero_count": point.zero_count,
            "zero_threshold": point.zero_threshold,
            "positive": {
                "offset": point.positive.offset,
                "bucket_counts": list(point.positive.bucket_counts),
            },
            "negative": {
                "offset": point.negative.offset,
                "bucket_counts": list(point.negative.bucket_counts),
            },
        }
        return {"count": point.count, **_optional_stats(point)}
    attributes[QUANTILES_KEY] = [
        {"quantile": q.quantile, "value": q.value} for q in point.quantile_values
    ]
    return {"count": point.count, "sum": point.sum}


def _optional_stats(point: HistogramDataPoint | ExponentialHistogramDataPoint) -> dict[str, Any]:
    """sum, min and max: optional fields in OTLP (absent ≠ 0)."""
    return {
        "sum": point.sum if point.HasField("sum") else None,
        "min": point.min if point.HasField("min") else None,
        "max": point.max if point.HasField("max") else None,
    }


def _temporality(value: int) -> str | None:
    return _TEMPORALITIES[value] if 0 <= value < len(_TEMPORALITIES) else None


def _model(attributes: Mapping[str, Any]) -> str | None:
    for key in _MODEL_KEYS:
        model = optional_str(attributes.get(key))
        if model is not None:
            return model
    return None
