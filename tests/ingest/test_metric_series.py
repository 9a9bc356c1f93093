"""Metric points on both backends: re-sent cumulative points replace, delta points add."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from llmobs_store.ingest.records import MetricPointRecord
from llmobs_store.store import Store
from tests.factories import T0


def _point(
    value: float, *, minutes: int, temporality: str, series: str = "s1"
) -> MetricPointRecord:
    return MetricPointRecord(
        name="app.llm.tokens",
        kind="sum",
        series_key=series,
        time=T0 + timedelta(minutes=minutes),
        start_time=T0,
        value=value,
        temporality=temporality,
        is_monotonic=True,
    )


def _values(store: Store) -> list[tuple[str, float, str]]:
    with store.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT series_key, value, temporality FROM metric_points ORDER BY series_key, time"
            )
        ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def test_cumulative_points_replace_earlier_ones(store: Store) -> None:
    store.write([_point(10, minutes=1, temporality="cumulative")])
    # The next export, plus the same export flushed twice at shutdown.
    store.write([_point(25, minutes=2, temporality="cumulative")] * 2)
    store.write(
        [
            _point(40, minutes=3, temporality="cumulative"),
            _point(30, minutes=2, temporality="cumulative"),
        ]
    )
    assert _values(store) == [("s1", 40.0, "cumulative")]


def test_an_older_resend_does_not_replace_a_newer_point(store: Store) -> None:
    store.write([_point(40, minutes=3, temporality="cumulative")])
    store.write([_point(25, minutes=2, temporality="cumulative")])
    assert _values(store) == [("s1", 40.0, "cumulative")]


def test_delta_points_add_up_and_series_stay_apart(store: Store) -> None:
    store.write([_point(5, minutes=1, temporality="delta", series="d")])
    store.write([_point(7, minutes=2, temporality="delta", series="d")])
    store.write([_point(1, minutes=1, temporality="cumulative", series="c")])
    assert _values(store) == [("c", 1.0, "cumulative"), ("d", 5.0, "delta"), ("d", 7.0, "delta")]
    with store.connect() as conn:
        total = conn.execute(text("SELECT sum(value) FROM metric_points WHERE series_key = 'd'"))
        assert total.scalar_one() == 12.0
