"""Hourly GenAI histograms and a queue-depth gauge, as an app's OTel metrics SDK would export."""

from __future__ import annotations

import bisect
import hashlib
import json
import random
from dataclasses import dataclass, field
from typing import Any

from llmobs_store.ingest.records import MetricPointRecord
from seed_data.catalogue import SERVICES
from seed_data.chat import ModelCall
from seed_data.spans import to_datetime
from seed_data.traces import DemoTrace
from seed_data.workload import US_PER_HOUR, US_PER_S, hourly_rate, lognormal

# Recommended bucket bounds of the GenAI semantic conventions (model/gen-ai/metrics.yaml).
DURATION_BOUNDS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48,
                   40.96, 81.92]  # fmt: skip
TOKEN_BOUNDS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
                16777216, 67108864]  # fmt: skip
_HISTOGRAMS: dict[str, tuple[str, str, list[float]]] = {
    "gen_ai.client.operation.duration": ("s", "GenAI operation duration.", DURATION_BOUNDS),
    "gen_ai.client.token.usage": (
        "{token}",
        "Number of input and output tokens used.",
        [float(b) for b in TOKEN_BOUNDS],
    ),
}
GAUGE_INTERVAL_US = 10 * 60 * US_PER_S


@dataclass
class _Histogram:
    bounds: list[float]
    count: int = 0
    sum: float = 0.0
    min: float = float("inf")
    max: float = float("-inf")
    bucket_counts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.bucket_counts = [0] * (len(self.bounds) + 1)

    def observe(self, value: float) -> None:
        self.count += 1
        self.sum += value
        self.min, self.max = min(self.min, value), max(self.max, value)
        self.bucket_counts[bisect.bisect_left(self.bounds, value)] += 1  # buckets are (lo, hi]


@dataclass(frozen=True, eq=False)  # compared by identity: one object per series
class _Series:
    name: str
    kind: str
    unit: str
    description: str
    attributes: dict[str, Any]
    resource: dict[str, Any]
    scope: str
    model: str | None
    bounds: list[float] | None = None
    key: str = field(init=False)

    def __post_init__(self) -> None:
        identity = [self.name, self.kind, self.unit, self.attributes, self.resource, self.scope]
        digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
        object.__setattr__(self, "key", digest)


class MetricAggregator:
    """Hourly DELTA histograms of call durations and token usage, and a queue-depth gauge.

    An hour is emitted once ``close_before`` is told that traffic has moved past its end,
    so points come out in time order and every call lands in the hour in which it ended.
    """

    def __init__(self, seed: int, start_us: int, end_us: int) -> None:
        self._rng = random.Random(f"{seed}-gauge")  # its own stream: traces stay independent
        self._start_us, self._end_us = start_us, end_us
        self._series: dict[tuple[Any, ...], _Series] = {}
        self._open: dict[int, dict[_Series, _Histogram]] = {}
        self._closed_until_us = start_us
        self._next_gauge_us = start_us

    def observe(self, trace: DemoTrace) -> None:
        """Add the model calls of ``trace`` to their hours."""
        for call in trace.calls:
            if call.cache_hit:
                continue
            hour = call.end_us // US_PER_HOUR * US_PER_HOUR
            if hour + US_PER_HOUR <= self._closed_until_us:
                raise RuntimeError("a call ended in an hour that was already emitted")
            duration_s = (call.end_us - call.start_us) / US_PER_S
            extra = {"error.type": call.error.error_type} if call.error else {}
            series = self._model_series(trace, call, "gen_ai.client.operation.duration", extra)
            self._bucket(hour, series).observe(duration_s)
            if call.input_tokens is None or call.output_tokens is None:
                continue
            for token_type, value in (("input", call.input_tokens), ("output", call.output_tokens)):
                extra = {"gen_ai.token.type": token_type}
                series = self._model_series(trace, call, "gen_ai.client.token.usage", extra)
                self._bucket(hour, series).observe(value)

    def close_before(self, t_us: int) -> list[MetricPointRecord]:
        """Points of every hour and gauge tick that ended before ``t_us``."""
        points: list[MetricPointRecord] = []
        for hour in sorted(h for h in self._open if h + US_PER_HOUR <= t_us):
            for series, hist in self._open.pop(hour).items():
                points.append(self._histogram_point(series, hour, hist))
        self._closed_until_us = max(self._closed_until_us, t_us)
        while self._next_gauge_us < min(t_us, self._end_us):
            points += self._gauge_points(self._next_gauge_us)
            self._next_gauge_us += GAUGE_INTERVAL_US
        return points

    def close_all(self) -> list[MetricPointRecord]:
        """Everything still open, up to the end of the window."""
        return self.close_before(self._end_us + US_PER_HOUR)

    def _bucket(self, hour: int, series: _Series) -> _Histogram:
        hours = self._open.setdefault(hour, {})
        if series not in hours:
            assert series.bounds is not None
            hours[series] = _Histogram(series.bounds)
        return hours[series]

    def _model_series(
        self, trace: DemoTrace, call: ModelCall, name: str, extra: dict[str, Any]
    ) -> _Series:
        model = call.model
        cache_key = (
            name,
            model.request_model,
            call.error is None,
            tuple(extra.items()),
            trace.resource["service.name"],
            trace.resource["service.version"],
        )
        series = self._series.get(cache_key)
        if series is None:
            attrs = {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": model.provider,
                "gen_ai.request.model": model.request_model,
                "server.address": model.server_address,
            }
            if call.error is None:
                attrs["gen_ai.response.model"] = model.response_model
            attrs |= extra
            unit, what, bounds = _HISTOGRAMS[name]
            shown = model.response_model if call.error is None else model.request_model
            series = _Series(
                name, "histogram", unit, what, attrs, trace.resource, model.scope_name, shown,
                bounds=bounds,
            )  # fmt: skip
            self._series[cache_key] = series
        return series

    def _histogram_point(self, series: _Series, hour: int, hist: _Histogram) -> MetricPointRecord:
        return MetricPointRecord(
            name=series.name,
            kind="histogram",
            series_key=series.key,
            time=to_datetime(min(hour + US_PER_HOUR, self._end_us)),
            temporality="delta",
            unit=series.unit,
            description=series.description,
            start_time=to_datetime(max(hour, self._start_us)),
            count=hist.count,
            sum=hist.sum,
            min=hist.min,
            max=hist.max,
            explicit_bounds=series.bounds,
            bucket_counts=hist.bucket_counts,
            service_name=series.resource["service.name"],
            scope_name=series.scope,
            model=series.model,
            attributes=series.attributes,
            resource_attributes=series.resource,
        )

    def _gauge_points(self, t_us: int) -> list[MetricPointRecord]:
        points = []
        for service in SERVICES:
            series = self._series.get(("gauge", service.name))
            if series is None:
                resource = {"service.name": service.name, "deployment.environment": "production"}
                attrs = {"messaging.destination.name": f"{service.feature}-requests"}
                series = _Series(
                    "app.queue.depth",
                    "gauge",
                    "{request}",
                    "Requests waiting for a worker.",
                    attrs,
                    resource,
                    f"{service.name.replace('-', '_')}.app",
                    None,
                )
                self._series[("gauge", service.name)] = series
            expected = hourly_rate(t_us) * service.weight * 40
            points.append(
                MetricPointRecord(
                    name=series.name,
                    kind="gauge",
                    series_key=series.key,
                    time=to_datetime(t_us),
                    value=float(round(lognormal(self._rng, expected, 0.4))),
                    unit=series.unit,
                    description=series.description,
                    service_name=service.name,
                    scope_name=series.scope,
                    attributes=series.attributes,
                    resource_attributes=series.resource,
                )
            )
        return points
