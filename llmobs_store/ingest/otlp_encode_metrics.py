"""``MetricPointRecord`` rows → an OTLP ExportMetricsServiceRequest (inverse of decode_metrics)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.metrics.v1.metrics_pb2 import Metric

from llmobs_store.ingest.otlp_encode import group_by_resource
from llmobs_store.ingest.otlp_metrics import DATA_KEYS, EXPONENTIAL_KEY, QUANTILES_KEY
from llmobs_store.ingest.otlp_values import fill_key_values, nanos_from_datetime
from llmobs_store.ingest.records import MetricPointRecord

_TEMPORALITY_NUMBERS = {"delta": 1, "cumulative": 2}
_KINDS = ("gauge", "sum", "histogram", "exponential_histogram", "summary")


def encode_metric_points(points: Sequence[MetricPointRecord]) -> bytes:
    """An ExportMetricsServiceRequest: one Metric per name/kind/unit/temporality (within a
    resource and scope), one data point per record. Unknown kinds raise ``ValueError``."""
    request = ExportMetricsServiceRequest()
    groups = group_by_resource(
        points, lambda p: (p.resource_attributes, p.service_name, p.scope_name)
    )
    for (resource, scope_name), group in groups:
        resource_metrics = request.resource_metrics.add()
        fill_key_values(resource_metrics.resource.attributes, resource)
        scope_metrics = resource_metrics.scope_metrics.add()
        scope_metrics.scope.name = scope_name or ""
        metrics: dict[tuple[Any, ...], Metric] = {}
        for point in group:
            if point.kind not in _KINDS:
                raise ValueError(f"metric {point.name}: unknown kind {point.kind!r}")
            identity = (
                point.name,
                point.kind,
                point.unit,
                point.description,
                point.temporality,
                point.is_monotonic,
            )
            metric = metrics.get(identity)
            if metric is None:
                metric = metrics[identity] = scope_metrics.metrics.add()
                _fill_metric(metric, point)
            _fill_point(metric, point)
    body: bytes = request.SerializeToString()
    return body


def _fill_metric(metric: Metric, point: MetricPointRecord) -> None:
    """Name, unit, description and the data's kind-wide fields, from the first point."""
    metric.name = point.name
    metric.unit = point.unit or ""
    metric.description = point.description or ""
    temporality = _TEMPORALITY_NUMBERS.get(point.temporality or "", 0)
    data = getattr(metric, point.kind)
    data.SetInParent()  # a gauge or summary has no field to set, but must be present
    if point.kind == "sum":
        metric.sum.is_monotonic = bool(point.is_monotonic)
    if point.kind in ("sum", "histogram", "exponential_histogram"):
        data.aggregation_temporality = temporality


def _fill_point(metric: Metric, point: MetricPointRecord) -> None:
    target = getattr(metric, point.kind).data_points.add()
    attributes = {k: v for k, v in (point.attributes or {}).items() if k not in DATA_KEYS}
    fill_key_values(target.attributes, attributes)
    target.time_unix_nano = nanos_from_datetime(point.time)
    if point.start_time is not None:
        target.start_time_unix_nano = nanos_from_datetime(point.start_time)
    extra = point.attributes or {}
    if point.kind in ("gauge", "sum"):
        if isinstance(point.value, int) and not isinstance(point.value, bool):
            target.as_int = point.value
        elif point.value is not None:
            target.as_double = point.value
        return
    target.count = point.count or 0
    if point.kind == "summary":
        target.sum = point.sum or 0.0
        for quantile in extra.get(QUANTILES_KEY) or ():
            value = target.quantile_values.add()
            value.quantile = quantile["quantile"]
            value.value = quantile["value"]
        return
    for stat in ("sum", "min", "max"):
        stat_value = getattr(point, stat)
        if stat_value is not None:
            setattr(target, stat, stat_value)
    if point.kind == "histogram":
        target.explicit_bounds.extend(point.explicit_bounds or ())
        target.bucket_counts.extend(point.bucket_counts or ())
        return
    exponential = extra.get(EXPONENTIAL_KEY) or {}
    target.scale = exponential.get("scale", 0)
    target.zero_count = exponential.get("zero_count", 0)
    target.zero_threshold = exponential.get("zero_threshold", 0.0)
    for side in ("positive", "negative"):
        buckets = exponential.get(side) or {}
        getattr(target, side).offset = buckets.get("offset", 0)
        getattr(target, side).bucket_counts.extend(buckets.get("bucket_counts") or ())
