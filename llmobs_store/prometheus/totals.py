"""Running sums and exact histograms per label set, folded from Arrow batches by group-by."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

LabelValues = tuple[str, ...]

# The label value a label set beyond the cap is folded into.
OTHER = "other"


@dataclass(frozen=True, slots=True)
class HistogramSpec:
    """A histogram over the values of ``column``; ``bounds`` are increasing upper bounds (le)."""

    column: str
    bounds: tuple[float, ...]


@dataclass(slots=True)
class HistogramTotals:
    """One label set's histogram: ``cumulative[i]`` counts values <= ``bounds[i]``."""

    cumulative: list[int]
    count: int = 0
    sum: float = 0.0


@dataclass(slots=True)
class SeriesTotals:
    """Everything folded for one label set: rows, column sums and histograms."""

    num_rows: int
    sums: list[float]
    histograms: list[HistogramTotals]


class LabelledTotals:
    """Per-label-set totals of a stream of Arrow tables, kept without storing any row.

    Each ``fold`` does one vectorised group-by over the label columns; only the per-group
    results (a handful of rows) are added up in Python, under a lock, so folds from the
    writer thread and ``snapshot`` calls from scrape threads can interleave.

    >>> totals = LabelledTotals(("model",), ("input_tokens",), max_label_sets=1_000)
    >>> totals.fold(pa.table({"model": ["a", "a"], "input_tokens": [3, 4]}))
    >>> totals.snapshot()[("a",)].sums
    [7.0]

    At most ``max_label_sets`` label sets keep their own values. A new one beyond that has its
    first label replaced by ``"other"``, the rest kept, so a burst of new models still shows
    under its provider and service; once those take 10% more, every further set is folded
    into ``("other", …)``. The series stay bounded (cap + 10% + 1) whatever arrives.
    """

    def __init__(
        self,
        label_columns: Sequence[str],
        sum_columns: Sequence[str] = (),
        histograms: Sequence[HistogramSpec] = (),
        *,
        max_label_sets: int,
    ) -> None:
        if max_label_sets < 1:
            raise ValueError("max_label_sets must be at least 1")
        self.label_columns = tuple(label_columns)
        self.sum_columns = tuple(sum_columns)
        self.histograms = tuple(histograms)
        self._max_label_sets = max_label_sets
        self._max_with_overflow = max_label_sets + max(1, max_label_sets // 10)
        self._series: dict[LabelValues, SeriesTotals] = {}
        self._lock = threading.Lock()

    def fold(self, table: pa.Table) -> None:
        """Add the rows of ``table`` (label columns as strings, nulls not allowed there)."""
        if table.num_rows == 0:
            return
        groups = self._aggregate(table).to_pydict()
        num_groups = len(groups["count_all"])
        with self._lock:
            for g in range(num_groups):
                labels = tuple(groups[c][g] for c in self.label_columns)
                series = self._series_for(labels)
                series.num_rows += groups["count_all"][g]
                for i, column in enumerate(self.sum_columns):
                    series.sums[i] += groups[f"{column}_sum"][g] or 0
                for spec, hist in zip(self.histograms, series.histograms, strict=True):
                    for i in range(len(spec.bounds)):
                        hist.cumulative[i] += groups[_le_column(spec, i) + "_sum"][g] or 0
                    hist.count += groups[f"{spec.column}_count"][g]
                    hist.sum += groups[f"{spec.column}_sum"][g] or 0.0

    def snapshot(self) -> dict[LabelValues, SeriesTotals]:
        """A consistent copy of every label set's totals."""
        with self._lock:
            return {
                labels: SeriesTotals(
                    s.num_rows,
                    list(s.sums),
                    [HistogramTotals(list(h.cumulative), h.count, h.sum) for h in s.histograms],
                )
                for labels, s in self._series.items()
            }

    def _aggregate(self, table: pa.Table) -> pa.Table:
        """One row per label set: row count, column sums, and per histogram the count of
        values <= each bound (already cumulative), the count of values and their sum."""
        columns: dict[str, pa.ChunkedArray] = {c: table[c] for c in self.label_columns}
        aggregations: list[tuple[str | list[str], str]] = [([], "count_all")]
        for column in self.sum_columns:
            columns[column] = table[column]
            aggregations.append((column, "sum"))
        for spec in self.histograms:
            values = table[spec.column]
            columns[spec.column] = values
            for i, bound in enumerate(spec.bounds):
                # Null values compare to null, which the sum skips: they land in no bucket.
                columns[_le_column(spec, i)] = pc.less_equal(values, bound)
                aggregations.append((_le_column(spec, i), "sum"))
            aggregations += [(spec.column, "count"), (spec.column, "sum")]
        # Single-threaded, groups come out in order of first appearance, so which label sets
        # get in under the cap does not depend on thread timing.
        return (
            pa.table(columns)
            .group_by(list(self.label_columns), use_threads=False)
            .aggregate(aggregations)
        )

    def _series_for(self, labels: LabelValues) -> SeriesTotals:
        series = self._series.get(labels)
        if series is not None:
            return series
        if len(self._series) >= self._max_label_sets:
            labels = (OTHER, *labels[1:])
            series = self._series.get(labels)
            if series is not None:
                return series
            if len(self._series) >= self._max_with_overflow:
                labels = (OTHER,) * len(labels)
                series = self._series.get(labels)
                if series is not None:
                    return series
        series = SeriesTotals(
            0,
            [0.0] * len(self.sum_columns),
            [HistogramTotals([0] * len(spec.bounds)) for spec in self.histograms],
        )
        self._series[labels] = series
        return series


def _le_column(spec: HistogramSpec, index: int) -> str:
    return f"_{spec.column}_le_{index}"
