"""Time buckets: sizes, epoch alignment, and the SQL bucket start on both dialects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from llmobs_store.analytics.buckets import (
    bucket_index,
    bucket_seconds,
    bucket_start,
    floor_to_bucket,
)
from llmobs_store.db.spans import Span
from llmobs_store.store import Store
from tests.factories import T0, make_span


@pytest.mark.parametrize(
    ("size", "seconds"), [("minute", 60), ("hour", 3600), ("day", 86400), (300, 300), ("900", 900)]
)
def test_bucket_sizes(size: str | int, seconds: int) -> None:
    assert bucket_seconds(size) == seconds


@pytest.mark.parametrize("size", ["week", 0, -60, "1.5"])
def test_bad_bucket_sizes(size: str | int) -> None:
    with pytest.raises(ValueError):
        bucket_seconds(size)


def test_floor_to_bucket_is_utc_and_epoch_aligned() -> None:
    moment = datetime(2026, 3, 2, 0, 7, 30, tzinfo=timezone(timedelta(hours=2)))
    assert floor_to_bucket(moment, 300) == datetime(2026, 3, 1, 22, 5, tzinfo=UTC)
    assert floor_to_bucket(moment, 86_400) == datetime(2026, 3, 1, tzinfo=UTC)


def test_sql_buckets_across_midnight(store: Store) -> None:
    # Minutes either side of midnight, plus the exact boundaries of a bucket.
    midnight = datetime(2026, 1, 2, tzinfo=UTC)
    offsets = [-601, -300, -0.001, 0, 0.5, 299.999, 300, 86_399]
    spans = [make_span(offset_ms=((midnight - T0).total_seconds() + s) * 1000) for s in offsets]
    store.write(spans)
    with store.connect() as conn:
        rows = conn.execute(
            select(
                Span.start_time,
                bucket_start(Span.start_time, 300),
                bucket_start(Span.start_time, 86_400),
                bucket_index(Span.start_time, 300),
            ).order_by(Span.start_time)
        ).all()
    assert len(rows) == len(offsets)
    for start, five_minutes, day, index in rows:
        assert five_minutes == floor_to_bucket(start, 300)
        assert five_minutes.tzinfo is not None and five_minutes.utcoffset() == timedelta(0)
        assert day == floor_to_bucket(start, 86_400)
        assert index * 300 == int(five_minutes.timestamp())
    assert [r[1] for r in rows][:4] == [
        midnight - timedelta(seconds=900),
        midnight - timedelta(seconds=300),
        midnight - timedelta(seconds=300),
        midnight,
    ]
