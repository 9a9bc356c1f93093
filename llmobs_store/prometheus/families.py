"""The LLM metric families (names, HELP, buckets) and their rendering from running totals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import Metric
from prometheus_client.metrics_core import CounterMetricFamily, HistogramMetricFamily

from llmobs_store.prometheus.totals import HistogramSpec, LabelledTotals

LABELS = ("model", "provider", "service")

# The seed's buckets with 20 s and 120 s added: long generations and reasoning models run
# well past 60 s, and keeping every seed bound lets the seed's dashboards work unchanged.
LATENCY_BOUNDS_S = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)
TTFT_BOUNDS_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


@dataclass(frozen=True, slots=True)
class CounterDef:
    """A counter per label set: the rows folded, or the sum of one column over them."""

    name: str
    help: str
    column: str | None = None  # summed column; None counts rows
    unit: str = ""


@dataclass(frozen=True, slots=True)
class HistogramDef:
    """A histogram per label set of one column's values, in seconds."""

    name: str
    help: str
    column: str
    bounds: tuple[float, ...]


SPAN_COUNTERS = (
    CounterDef("llm_requests_total", "LLM call spans (span_type llm) stored by this process."),
    CounterDef("llm_request_errors_total", "Stored LLM call spans with status error.", "error"),
    CounterDef(
        "llm_input_tokens_total",
        "Input tokens of stored LLM spans, cache reads and writes included.",
        "input_tokens",
    ),
    CounterDef(
        "llm_output_tokens_total",
        "Output tokens of stored LLM spans, reasoning included.",
        "output_tokens",
    ),
    CounterDef(
        "llm_cache_read_tokens_total",
        "Input tokens of stored LLM spans read from the provider's prompt cache.",
        "cache_read_tokens",
    ),
    CounterDef(
        "llm_reasoning_tokens_total",
        "Output tokens of stored LLM spans spent on reasoning.",
        "reasoning_tokens",
    ),
    CounterDef(
        "llm_cost_dollars_total",
        "Cost in USD computed by llmobs for priced LLM spans.",
        "cost_usd",
        "dollars",
    ),
    CounterDef(
        "llm_unpriced_requests_total",
        "Stored LLM spans with tokens but no known price (their cost is missing from "
        "llm_cost_dollars_total).",
        "unpriced",
    ),
)
SPAN_HISTOGRAMS = (
    HistogramDef(
        "llm_request_latency_seconds",
        "Duration of stored LLM spans.",
        "latency_s",
        LATENCY_BOUNDS_S,
    ),
    HistogramDef(
        "llm_ttft_seconds", "Time to first token of stored LLM spans.", "ttft_s", TTFT_BOUNDS_S
    ),
)
REQUEST_COUNTERS = (
    CounterDef("llm_recorded_requests_total", "LLM requests recorded through record_request."),
    CounterDef("llm_recorded_request_errors_total", "Recorded LLM requests that failed.", "error"),
    CounterDef(
        "llm_recorded_input_tokens_total", "Input tokens of recorded requests.", "input_tokens"
    ),
    CounterDef(
        "llm_recorded_output_tokens_total", "Output tokens of recorded requests.", "output_tokens"
    ),
    CounterDef(
        "llm_recorded_cost_dollars_total",
        "Cost in USD that callers reported with recorded requests.",
        "cost_usd",
        "dollars",
    ),
    CounterDef(
        "llm_cache_hits_total", "Recorded requests answered from an application cache.", "hit"
    ),
    CounterDef(
        "llm_cache_misses_total", "Recorded requests that missed an application cache.", "miss"
    ),
)
REQUEST_HISTOGRAMS = (
    HistogramDef(
        "llm_recorded_request_latency_seconds",
        "Latency of recorded LLM requests.",
        "latency_s",
        LATENCY_BOUNDS_S,
    ),
    HistogramDef(
        "llm_recorded_ttft_seconds",
        "Time to first token of recorded LLM requests.",
        "ttft_s",
        TTFT_BOUNDS_S,
    ),
)


class LabelledFamilies:
    """The families fed by one table's label and value columns, and the totals behind them.

    Fold rows into ``totals`` (columns named ``LABELS`` plus each definition's column);
    ``families()`` renders what was folded so far.
    """

    def __init__(
        self,
        counters: tuple[CounterDef, ...],
        histograms: tuple[HistogramDef, ...],
        max_label_sets: int,
    ) -> None:
        self.counters = counters
        self.histograms = histograms
        summed = [c.column for c in counters if c.column is not None]
        self._sum_index = {column: i for i, column in enumerate(summed)}
        self.totals = LabelledTotals(
            LABELS,
            summed,
            [HistogramSpec(h.column, h.bounds) for h in histograms],
            max_label_sets=max_label_sets,
        )

    def families(self) -> Iterator[Metric]:
        """One family per definition, a sample (or histogram) per label set seen so far."""
        snapshot = self.totals.snapshot()
        for counter in self.counters:
            family = CounterMetricFamily(
                counter.name, counter.help, labels=LABELS, unit=counter.unit
            )
            for labels, series in snapshot.items():
                value = (
                    series.num_rows
                    if counter.column is None
                    else series.sums[self._sum_index[counter.column]]
                )
                family.add_metric(labels, value)
            yield family
        for h, histogram in enumerate(self.histograms):
            histogram_family = HistogramMetricFamily(
                histogram.name, histogram.help, labels=LABELS, unit="seconds"
            )
            for labels, series in snapshot.items():
                totals = series.histograms[h]
                # repr of a float is the le text prometheus_client's own Histogram writes.
                buckets = [
                    (repr(bound), float(n))
                    for bound, n in zip(histogram.bounds, totals.cumulative, strict=True)
                ]
                buckets.append(("+Inf", float(totals.count)))
                histogram_family.add_metric(labels, buckets, totals.sum)
            yield histogram_family
