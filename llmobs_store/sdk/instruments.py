"""``Counter``, ``Gauge``, ``Histogram``: the seed's in-memory instruments, each change stored."""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from llmobs_store.ingest.otlp import metric_series_key
from llmobs_store.ingest.records import MetricPointRecord
from llmobs_store.sdk.exporter import PendingExports, RecordExporter, resolve_exporter
from llmobs_store.sdk.spans import SCOPE_NAME
from llmobs_store.store import Store

LabelKey = tuple[tuple[str, Any], ...]
DEFAULT_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def label_key(labels: Mapping[str, Any] | None) -> LabelKey:
    """The seed's key of a label set: its items, sorted."""
    return tuple(sorted((labels or {}).items()))


class _Instrument:
    """What every instrument shares: identity, the exporter, and per-series interval starts."""

    kind: ClassVar[str]

    def __init__(
        self,
        name: str,
        description: str = "",
        *,
        unit: str | None = None,
        store: Store | None = None,
        exporter: RecordExporter | None = None,
        service_name: str | None = None,
    ) -> None:
        self.name = name
        self.description = description
        self.unit = unit
        self.service_name = service_name
        self._exporter = resolve_exporter(store, exporter)
        self._pending = PendingExports()
        self._lock = threading.Lock()
        self._created = datetime.now(UTC)
        self._last_point: dict[LabelKey, datetime] = {}
        # The seed's in-memory value per label set (counters and gauges).
        self._values: dict[LabelKey, float] = {}

    def flush(self, timeout: float | None = None) -> None:
        """Return once every point recorded so far is committed (or failed and logged)."""
        self._pending.wait(timeout)

    def _interval(self, key: LabelKey) -> tuple[datetime, datetime]:
        """Start and end of the interval a new point of series ``key`` covers (hold the lock)."""
        now = datetime.now(UTC)
        start = self._last_point.get(key, self._created)
        self._last_point[key] = now
        return start, now

    def _point(self, key: LabelKey, start: datetime | None, now: datetime, **values: Any) -> None:
        labels = dict(key)
        model = labels.get("model")
        # The same resource and key as these points get when sent over OTLP, so one series is
        # one series whichever way it reaches the store.
        resource = {"service.name": self.service_name} if self.service_name else {}
        record = MetricPointRecord(
            name=self.name,
            kind=self.kind,
            series_key=metric_series_key(
                self.name,
                self.kind,
                values.get("temporality"),
                self.unit,
                labels,
                resource,
                SCOPE_NAME,
            ),
            time=now,
            start_time=start,
            unit=self.unit,
            description=self.description or None,
            service_name=self.service_name,
            scope_name=SCOPE_NAME,
            model=model if isinstance(model, str) else None,
            attributes=labels or None,
            resource_attributes=resource or None,
            **values,
        )
        self._pending.track(lambda: self._exporter.export([record]), f"metric {self.name}")


class Counter(_Instrument):
    """A counter; every ``inc`` is stored as a delta sum point.

    >>> requests = Counter("llm_requests_total", "LLM requests", store=store)  # doctest: +SKIP
    >>> requests.inc(labels={"model": "gpt-4o"})                            # doctest: +SKIP
    """

    kind = "sum"

    def inc(self, value: float = 1, labels: Mapping[str, Any] | None = None) -> None:
        """Add ``value`` (never negative: a counter that went down would not be monotonic)."""
        key = self._add(value, labels)
        with self._lock:
            start, now = self._interval(key)
        self._point(key, start, now, value=float(value), temporality="delta", is_monotonic=True)

    def get(self, labels: Mapping[str, Any] | None = None) -> float:
        """The total for ``labels`` since this object was created."""
        return self._values.get(label_key(labels), 0.0)

    def _add(self, value: float, labels: Mapping[str, Any] | None) -> LabelKey:
        """Count in memory only (for ``LLMMetrics.record_request``)."""
        if value < 0:
            raise ValueError(f"counter {self.name} can only increase, not by {value}")
        key = label_key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + value
        return key


class Gauge(_Instrument):
    """A value that goes up and down; every change is stored as a gauge point of the new value.

    >>> active = Gauge("llm_active_requests", store=store)     # doctest: +SKIP
    >>> active.inc(); active.dec()                             # doctest: +SKIP
    """

    kind = "gauge"

    def set(self, value: float, labels: Mapping[str, Any] | None = None) -> None:
        """Set the value."""
        self._change(labels, lambda _old: float(value))

    def inc(self, value: float = 1, labels: Mapping[str, Any] | None = None) -> None:
        """Raise the value by ``value``."""
        self._change(labels, lambda old: old + value)

    def dec(self, value: float = 1, labels: Mapping[str, Any] | None = None) -> None:
        """Lower the value by ``value``."""
        self.inc(-value, labels)

    def get(self, labels: Mapping[str, Any] | None = None) -> float:
        """The current value (0.0 if never set)."""
        return self._values.get(label_key(labels), 0.0)

    def _change(
        self, labels: Mapping[str, Any] | None, new_value: Callable[[float], float]
    ) -> None:
        key = label_key(labels)
        with self._lock:
            value = float(new_value(self._values.get(key, 0.0)))
            self._values[key] = value
            # Taken under the lock, so the stored points of a series are in change order.
            now = datetime.now(UTC)
        self._point(key, None, now, value=value)


class Histogram(_Instrument):
    """Observations in buckets; each ``observe`` is stored as a one-observation delta histogram.

    >>> latency = Histogram("llm_latency_s", buckets=[0.5, 1, 5], store=store)  # doctest: +SKIP
    >>> latency.observe(0.7)                                                 # doctest: +SKIP
    """

    kind = "histogram"

    def __init__(
        self,
        name: str,
        description: str = "",
        buckets: Sequence[float] | None = None,
        *,
        unit: str | None = None,
        store: Store | None = None,
        exporter: RecordExporter | None = None,
        service_name: str | None = None,
    ) -> None:
        super().__init__(
            name,
            description,
            unit=unit,
            store=store,
            exporter=exporter,
            service_name=service_name,
        )
        self.buckets = sorted(float(b) for b in (buckets or DEFAULT_BUCKETS))
        if not self.buckets:
            raise ValueError(f"histogram {name} needs at least one bucket")
        # The seed's layout: _counts[key][bound] counts observations <= bound (cumulative).
        self._counts: dict[LabelKey, dict[float, int]] = defaultdict(lambda: defaultdict(int))
        self._sums: dict[LabelKey, float] = defaultdict(float)
        self._totals: dict[LabelKey, int] = defaultdict(int)

    def observe(self, value: float, labels: Mapping[str, Any] | None = None) -> None:
        """Record one observation."""
        key = self._add(value, labels)
        with self._lock:
            start, now = self._interval(key)
        # OTLP buckets are not cumulative: bucket i holds (bounds[i-1], bounds[i]], plus one
        # overflow bucket, so the single observation lands in exactly one of them.
        bucket_counts = [0] * (len(self.buckets) + 1)
        bucket_counts[bisect.bisect_left(self.buckets, value)] = 1
        self._point(
            key,
            start,
            now,
            temporality="delta",
            count=1,
            sum=float(value),
            min=float(value),
            max=float(value),
            explicit_bounds=list(self.buckets),
            bucket_counts=bucket_counts,
        )

    def get_percentile(self, percentile: float, labels: Mapping[str, Any] | None = None) -> float:
        """The seed's estimate: the smallest bucket bound covering ``percentile`` (0–1)."""
        key = label_key(labels)
        with self._lock:
            total = self._totals.get(key, 0)
            counts = dict(self._counts.get(key, {}))
        if total == 0:
            return 0.0
        target = total * percentile
        for bound in self.buckets:
            # The counts are already cumulative. The seed summed them once more, which
            # reported too low a bucket as soon as two buckets held observations.
            if counts.get(bound, 0) >= target:
                return bound
        return self.buckets[-1]

    def _add(self, value: float, labels: Mapping[str, Any] | None) -> LabelKey:
        """Observe in memory only (for ``LLMMetrics.record_request``)."""
        key = label_key(labels)
        with self._lock:
            self._sums[key] += value
            self._totals[key] += 1
            for bound in self.buckets:
                if value <= bound:
                    self._counts[key][bound] += 1
        return key
