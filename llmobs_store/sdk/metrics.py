"""``LLMMetrics``: the seed's LLM instruments, one stored sample per request, SQL summaries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from llmobs_store.analytics.requests import request_summary
from llmobs_store.ingest.records import RequestSampleRecord
from llmobs_store.sdk.context import correlation_ids
from llmobs_store.sdk.exporter import (
    PendingExports,
    RecordExporter,
    reading_store,
    resolve_exporter,
)
from llmobs_store.sdk.instruments import Counter, Gauge, Histogram
from llmobs_store.store import Store

__all__ = ["Counter", "Gauge", "Histogram", "LLMMetrics"]


class LLMMetrics:
    """Request, latency, token, cost and cache instruments for LLM calls.

    >>> metrics = LLMMetrics(store=store, service_name="chat")            # doctest: +SKIP
    >>> metrics.record_request("gpt-4o", 1.2, 350, 80, 0.0021)           # doctest: +SKIP
    >>> metrics.get_summary()["p95_latency"]                              # doctest: +SKIP
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        exporter: RecordExporter | None = None,
        service_name: str | None = None,
    ) -> None:
        self.service_name = service_name
        self._exporter = resolve_exporter(store, exporter)
        self._pending = PendingExports()
        self.requests_total = self._counter("llm_requests_total", "Total LLM requests")
        self.request_errors = self._counter("llm_request_errors_total", "Total LLM request errors")
        self.request_latency = self._histogram(
            "llm_request_latency_seconds",
            "LLM request latency",
            [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        )
        self.time_to_first_token = self._histogram(
            "llm_ttft_seconds", "Time to first token", [0.05, 0.1, 0.25, 0.5, 1, 2, 5]
        )
        self.input_tokens = self._counter("llm_input_tokens_total", "Total input tokens", "{token}")
        self.output_tokens = self._counter(
            "llm_output_tokens_total", "Total output tokens", "{token}"
        )
        self.cost_total = self._counter(
            "llm_cost_dollars_total", "Total LLM cost in dollars", "USD"
        )
        self.active_requests = Gauge(
            "llm_active_requests",
            "Currently active LLM requests",
            unit="{request}",
            exporter=self._exporter,
            service_name=service_name,
        )
        self.cache_hits = self._counter("llm_cache_hits_total", "Cache hits")
        self.cache_misses = self._counter("llm_cache_misses_total", "Cache misses")

    @property
    def num_failed_exports(self) -> int:
        """Request samples that could not be stored (each one was logged)."""
        return self._pending.num_failed

    def record_request(
        self,
        model: str,
        latency: float,
        input_tokens: int,
        output_tokens: int,
        cost: float,
        success: bool = True,
        *,
        ttft: float | None = None,
        provider: str | None = None,
        cache_hit: bool | None = None,
        trace_id: str | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        """Record one completed request (``latency`` and ``ttft`` in seconds, cost in USD).

        Stores one ``request_samples`` row, tied to the current span unless ``trace_id`` is
        given, and updates the in-memory instruments as the seed did.
        """
        if min(latency, input_tokens, output_tokens, cost) < 0:
            raise ValueError("latency, tokens and cost of a request cannot be negative")
        trace_id, span_id = correlation_ids(trace_id)
        sample = RequestSampleRecord(
            time=datetime.now(UTC),
            model=model,
            latency_s=latency,
            success=success,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_usd=cost,
            provider=provider,
            ttft_s=ttft,
            cache_hit=cache_hit,
            service_name=self.service_name,
            trace_id=trace_id,
            span_id=span_id,
            attributes=dict(attributes) if attributes else None,
        )
        self._pending.track(lambda: self._exporter.export([sample]), f"request sample {model}")
        # The sample row is the durable record of this request: every figure below can be
        # recomputed from request_samples, so storing each instrument change as well would
        # only write the same facts six times over.
        labels = {"model": model}
        self.requests_total._add(1, labels)
        self.request_latency._add(latency, labels)
        self.input_tokens._add(input_tokens, labels)
        self.output_tokens._add(output_tokens, labels)
        self.cost_total._add(cost, labels)
        if not success:
            self.request_errors._add(1, labels)
        if ttft is not None:
            self.time_to_first_token._add(ttft, labels)
        if cache_hit is True:
            self.cache_hits._add(1, labels)
        elif cache_hit is False:
            self.cache_misses._add(1, labels)

    def get_summary(
        self, *, since: datetime | None = None, model: str | None = None
    ) -> dict[str, Any]:
        """The seed's summary over every stored request sample (at or after ``since``, of
        ``model``), with exact percentiles computed by the database.

        Waits for this object's pending writes first. Needs a store to read: with an exporter
        that sends elsewhere, ask that server instead (raises ``ValueError``).
        """
        store = reading_store(self._exporter)
        if store is None:
            raise ValueError("get_summary reads a local store; this LLMMetrics exports elsewhere")
        self.flush()
        with store.connect() as conn:
            summary = request_summary(conn, since=since, model=model)
        return {
            "total_requests": summary.num_requests,
            "total_errors": summary.num_errors,
            "total_input_tokens": summary.input_tokens,
            "total_output_tokens": summary.output_tokens,
            "total_cost": summary.cost_usd,
            "p50_latency": summary.p50_latency_s,
            "p95_latency": summary.p95_latency_s,
            "p99_latency": summary.p99_latency_s,
        }

    def flush(self, timeout: float | None = None) -> None:
        """Return once every sample and point recorded so far is committed."""
        self._pending.wait(timeout)
        for instrument in self._instruments():
            instrument.flush(timeout)

    def _instruments(self) -> list[Counter | Gauge | Histogram]:
        return [
            self.requests_total,
            self.request_errors,
            self.request_latency,
            self.time_to_first_token,
            self.input_tokens,
            self.output_tokens,
            self.cost_total,
            self.active_requests,
            self.cache_hits,
            self.cache_misses,
        ]

    def _counter(self, name: str, description: str, unit: str = "{request}") -> Counter:
        return Counter(
            name, description, unit=unit, exporter=self._exporter, service_name=self.service_name
        )

    def _histogram(self, name: str, description: str, buckets: list[float]) -> Histogram:
        return Histogram(
            name,
            description,
            buckets,
            unit="s",
            exporter=self._exporter,
            service_name=self.service_name,
        )
