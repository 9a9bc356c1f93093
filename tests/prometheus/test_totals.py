"""``LabelledTotals``: group-by folds of Arrow tables, nulls skipped, label sets capped."""

from __future__ import annotations

import pyarrow as pa
import pytest

from llmobs_store.prometheus.totals import HistogramSpec, LabelledTotals

_LATENCY = HistogramSpec("latency_s", (0.5, 1.0))


def _totals(max_label_sets: int = 10) -> LabelledTotals:
    return LabelledTotals(
        ("model", "service"), ("tokens",), (_LATENCY,), max_label_sets=max_label_sets
    )


def test_folds_add_up_across_batches_and_skip_nulls() -> None:
    totals = _totals()
    totals.fold(
        pa.table(
            {
                "model": ["a", "a", "b"],
                "service": ["s", "s", "s"],
                "tokens": [3, None, 4],
                "latency_s": [0.5, 2.0, None],
            }
        )
    )
    totals.fold(
        pa.table({"model": ["a"], "service": ["s"], "tokens": [10], "latency_s": pa.array([0.7])})
    )

    snapshot = totals.snapshot()
    a, b = snapshot[("a", "s")], snapshot[("b", "s")]
    assert (a.num_rows, a.sums) == (3, [13])
    hist = a.histograms[0]
    assert (hist.cumulative, hist.count) == ([1, 2], 3)
    assert hist.sum == pytest.approx(3.2)
    # A null value is a row without an observation: counted as a row, in no bucket.
    assert (b.num_rows, b.sums, b.histograms[0].count, b.histograms[0].sum) == (1, [4], 0, 0.0)


def test_snapshot_is_a_copy() -> None:
    totals = _totals()
    batch = pa.table({"model": ["a"], "service": ["s"], "tokens": [1], "latency_s": [0.1]})
    totals.fold(batch)
    before = totals.snapshot()
    totals.fold(batch)

    assert before[("a", "s")].sums == [1]
    assert before[("a", "s")].histograms[0].cumulative == [1, 1]


def test_label_sets_are_bounded_whatever_arrives() -> None:
    totals = _totals(max_label_sets=2)
    models = [f"m{i}" for i in range(10)]
    services = [f"s{i}" for i in range(10)]
    totals.fold(
        pa.table(
            {"model": models, "service": services, "tokens": [1] * 10, "latency_s": [0.1] * 10}
        )
    )

    snapshot = totals.snapshot()
    # Two kept, one more (10% of the cap, at least one) folded into model "other" with its
    # service, the rest all "other".
    assert list(snapshot) == [("m0", "s0"), ("m1", "s1"), ("other", "s2"), ("other", "other")]
    assert sum(s.num_rows for s in snapshot.values()) == 10
    assert snapshot[("other", "other")].histograms[0].count == 7


def test_an_empty_batch_changes_nothing() -> None:
    totals = _totals()
    empty = pa.table(
        {
            "model": pa.array([], pa.string()),
            "service": pa.array([], pa.string()),
            "tokens": pa.array([], pa.int64()),
            "latency_s": pa.array([], pa.float64()),
        }
    )
    totals.fold(empty)
    assert totals.snapshot() == {}
