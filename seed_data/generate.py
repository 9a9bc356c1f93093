"""Deterministic demo telemetry: the same arguments give the same spans, logs and metrics."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from llmobs_store.ingest.records import (
    LogRecord,
    MetricPointRecord,
    RawSpan,
    RequestSampleRecord,
)
from seed_data.app_records import logs, request_samples
from seed_data.metrics import MetricAggregator
from seed_data.spans import EPOCH
from seed_data.traces import TraceBuilder
from seed_data.workload import US_PER_S, Timeline

DEFAULT_NUM_TRACES = 15_000
DEFAULT_DAYS = 7.0
BATCH_NUM_TRACES = 500
# Requests stop arriving this long before ``end``, so every span ends before it; an hour of
# metrics closes once traffic is this far past it. Calls are capped at 120 s, so even an agent
# loop with retries (8 calls) stays well inside.
_MARGIN_US = 30 * 60 * US_PER_S


@dataclass(frozen=True)
class DemoBatch:
    """The telemetry of ``num_traces`` consecutive requests, ready for ``Store`` submission."""

    num_traces: int
    spans: list[RawSpan]
    logs: list[LogRecord]
    request_samples: list[RequestSampleRecord]
    metric_points: list[MetricPointRecord]


def generate(*, num_traces: int, days: float, seed: int, end: datetime) -> Iterator[DemoBatch]:
    """Batches of demo telemetry for ``num_traces`` requests over the ``days`` before ``end``.

    Batches come in time order, ``BATCH_NUM_TRACES`` requests each. Ids and times come from a
    ``random.Random(seed)`` and ``end`` alone, so every run with the same arguments yields
    identical batches. A naive ``end`` is taken as UTC.

    >>> batches = generate(num_traces=1000, days=7, seed=42, end=datetime(2025, 3, 1))
    >>> sum(b.num_traces for b in batches)
    1000
    """
    if num_traces < 0:
        raise ValueError(f"num_traces must be >= 0, got {num_traces}")
    if days <= 0:
        raise ValueError(f"days must be > 0, got {days}")
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    end_us = (end - EPOCH) // timedelta(microseconds=1)
    start_us = end_us - int(days * 86_400 * US_PER_S)
    rng = random.Random(seed)
    timeline = Timeline(start_us, max(end_us - _MARGIN_US, start_us + 1))
    builder = TraceBuilder(rng, start_us, end_us)
    metrics = MetricAggregator(seed, start_us, end_us)
    first = 0
    while True:
        last = min(first + BATCH_NUM_TRACES, num_traces)
        batch = DemoBatch(last - first, [], [], [], [])
        t_us = start_us
        for i in range(first, last):
            # Stratified draws: start times rise with i and follow the daily rhythm.
            t_us = timeline.time_at((i + rng.random()) / num_traces)
            trace = builder.build(t_us)
            batch.spans.extend(trace.spans)
            batch.logs.extend(logs(trace))
            batch.request_samples.extend(request_samples(trace))
            metrics.observe(trace)
        done = last >= num_traces
        points = metrics.close_all() if done else metrics.close_before(t_us - _MARGIN_US)
        batch.metric_points.extend(points)
        yield batch
        if done:
            return
        first = last
