"""The Prometheus view of what this process stored, folded from each commit, never scanned.

Counters follow Prometheus semantics: they count what *this* process committed since it
started. They restart from zero with the process, which ``rate()`` and ``increase()`` absorb;
with several collector processes writing one PostgreSQL database each exposes its own share
and ``sum()`` over the scraped instances is the whole, because a row is "stored" only for the
process whose insert won. A scrape reads the totals held in memory and nothing else, so it
costs the same at 10 spans or 10M; the totals do not cover rows stored before the process
started (the database answers that question in SQL).

Two sources, two name families. ``llm_*`` comes from LLM spans (``span_type = 'llm'``);
``llm_recorded_*`` from ``request_samples`` (``LLMMetrics.record_request``, ``POST
/v1/metrics``). They are kept apart rather than told by a ``source`` label because
``record_request`` is usually called inside the span of the same call: with one name the
natural ``sum(rate(llm_requests_total[5m]))`` would count that call twice. Cache hits and
misses exist only in request samples, so they keep the seed's names ``llm_cache_*_total``.

No ``_created`` series: the 0.0.4 text writes them as extra gauge samples, one per counter and
histogram label set, doubling the series while saying only "since this process started",
which the counter resets already tell ``rate()``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc
from prometheus_client import CollectorRegistry, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily

from llmobs_store.prometheus.families import (
    REQUEST_COUNTERS,
    REQUEST_HISTOGRAMS,
    SPAN_COUNTERS,
    SPAN_HISTOGRAMS,
    LabelledFamilies,
)
from llmobs_store.prometheus.totals import LabelledTotals
from llmobs_store.store import Store


class PrometheusExposition:
    """Counters and histograms of the rows a store commits, rendered for a Prometheus scrape.

    Create one per process and store; it listens to every commit from then on.

    >>> exposition = PrometheusExposition(store)                      # doctest: +SKIP
    >>> body, content_type = exposition.render(request.headers.get("Accept"))  # doctest: +SKIP

    Label sets (model, provider, service; empty when unknown) are capped at
    ``max_label_sets`` per source; see ``LabelledTotals`` for how the rest is folded.
    """

    def __init__(self, store: Store, *, max_label_sets: int = 1_000) -> None:
        self._store = store
        self._spans = LabelledFamilies(SPAN_COUNTERS, SPAN_HISTOGRAMS, max_label_sets)
        self._requests = LabelledFamilies(REQUEST_COUNTERS, REQUEST_HISTOGRAMS, max_label_sets)
        self._spans_by_service = LabelledTotals(("service",), max_label_sets=max_label_sets)
        self._lock = threading.Lock()
        self._num_logs = 0
        self._num_metric_points = 0
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self)
        store.add_commit_listener(self.fold)

    def fold(self, stored: dict[str, pa.Table]) -> None:
        """Add one commit's stored rows (the store calls this on its writer thread)."""
        spans = stored.get("spans")
        if spans is not None and spans.num_rows:
            self._spans_by_service.fold(pa.table({"service": _label(spans["service_name"])}))
            self._spans.totals.fold(_llm_span_columns(spans))
        samples = stored.get("request_samples")
        if samples is not None and samples.num_rows:
            self._requests.totals.fold(_request_sample_columns(samples))
        logs, points = stored.get("logs"), stored.get("metric_points")
        with self._lock:
            self._num_logs += 0 if logs is None else logs.num_rows
            self._num_metric_points += 0 if points is None else points.num_rows

    def collect(self) -> Iterator[Metric]:
        """Every metric family, from the totals in memory (the ``Collector`` protocol)."""
        yield from self._spans.families()
        yield from self._requests.families()
        by_service = CounterMetricFamily(
            "llmobs_spans_stored_total",
            "Spans of every type stored by this process (re-delivered duplicates left out).",
            labels=["service"],
        )
        for labels, series in self._spans_by_service.snapshot().items():
            by_service.add_metric(labels, series.num_rows)
        yield by_service
        with self._lock:
            num_logs, num_points = self._num_logs, self._num_metric_points
        yield CounterMetricFamily(
            "llmobs_logs_stored_total", "Log records stored by this process.", value=num_logs
        )
        yield CounterMetricFamily(
            "llmobs_metric_points_stored_total",
            "Metric data points stored by this process.",
            value=num_points,
        )
        yield GaugeMetricFamily(
            "llmobs_writer_pending_rows",
            "Rows accepted by the store's writer and not yet committed.",
            value=self._store.pending_rows,
        )

    def render(self, accept_header: str | None) -> tuple[bytes, str]:
        """The exposition body and its content type, negotiated from an HTTP Accept header.

        Text format 0.0.4 by default and for ``*/*``; OpenMetrics 1.0 when the header asks
        for ``application/openmetrics-text``.
        """
        encode, content_type = choose_encoder(accept_header or "")
        return encode(self.registry), content_type


def _label(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """A label column: unknown (null) becomes the empty string, as Prometheus reads it."""
    return pc.fill_null(values, "")


# Filtering only the columns read halves the cost of the filter (about 6 of 13 ms at 250k rows).
_SPAN_SOURCE_COLUMNS = (
    "model",
    "provider",
    "service_name",
    "status",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "reasoning_tokens",
    "cost_usd",
    "duration_ms",
    "ttft_ms",
)


def _llm_span_columns(spans: pa.Table) -> pa.Table:
    """The label and value columns of the LLM spans among ``spans`` (STORED_SPAN_COLUMNS)."""
    llm = spans.select(_SPAN_SOURCE_COLUMNS).filter(pc.equal(spans["span_type"], "llm"))
    has_tokens = pc.or_(pc.is_valid(llm["input_tokens"]), pc.is_valid(llm["output_tokens"]))
    return pa.table(
        {
            "model": _label(llm["model"]),
            "provider": _label(llm["provider"]),
            "service": _label(llm["service_name"]),
            "error": pc.equal(llm["status"], "error"),
            "input_tokens": llm["input_tokens"],
            "output_tokens": llm["output_tokens"],
            "cache_read_tokens": llm["cache_read_tokens"],
            "reasoning_tokens": llm["reasoning_tokens"],
            "cost_usd": llm["cost_usd"],
            # The same rule as traces.num_unpriced: a failed call without tokens costs nothing.
            "unpriced": pc.and_(pc.is_null(llm["cost_usd"]), has_tokens),
            "latency_s": pc.divide(llm["duration_ms"], 1000.0),
            "ttft_s": pc.divide(llm["ttft_ms"], 1000.0),
        }
    )


def _request_sample_columns(samples: pa.Table) -> pa.Table:
    """The label and value columns of ``request_samples`` rows."""
    cache_hit = samples["cache_hit"]
    return pa.table(
        {
            "model": _label(samples["model"]),
            "provider": _label(samples["provider"]),
            "service": _label(samples["service_name"]),
            "error": pc.invert(samples["success"]),
            "input_tokens": samples["input_tokens"],
            "output_tokens": samples["output_tokens"],
            "cost_usd": samples["cost_usd"],
            # cache_hit is NULL when no cache was consulted: neither a hit nor a miss.
            "hit": cache_hit,
            "miss": pc.invert(cache_hit),
            "latency_s": samples["latency_s"],
            "ttft_s": samples["ttft_s"],
        }
    )
