"""Cache hit rates from request samples (application cache) and prompt-cache tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from llmobs_store.analytics.cache import CacheHits, sample_cache_hits
from llmobs_store.analytics.filters import SpanFilter
from llmobs_store.analytics.usage import usage
from llmobs_store.ingest.records import RequestSampleRecord
from llmobs_store.store import Store
from tests.factories import make_span

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def sample(minute: int, cache_hit: bool | None, model: str = "gpt-4o") -> RequestSampleRecord:
    return RequestSampleRecord(
        time=NOON + timedelta(minutes=minute), model=model, latency_s=0.5, cache_hit=cache_hit
    )


def test_sample_cache_hits_per_model_and_hour(store: Store) -> None:
    outcomes = [True, True, False, None, True, False, False, None]
    store.write(
        [sample(i * 20, hit) for i, hit in enumerate(outcomes)]
        + [sample(5, True, model="haiku"), sample(6, None, model="haiku")]
    )
    with store.connect() as conn:
        overall = sample_cache_hits(conn)
        hourly = sample_cache_hits(conn, model="gpt-4o", bucket="hour")
        per_model = sample_cache_hits(conn, group_by=["model"], since=NOON)
        none = sample_cache_hits(conn, since=NOON + timedelta(days=1))
    assert overall == [CacheHits((), None, 7, 4)]
    assert overall[0].hit_rate == 4 / 7
    # Minutes 0, 20, 40 | 60, 80, 100 | 120, 140 (the Nones are not lookups).
    assert [(h.bucket_start, h.num_lookups, h.num_hits) for h in hourly] == [
        (NOON, 3, 2),
        (NOON + timedelta(hours=1), 2, 1),
        (NOON + timedelta(hours=2), 1, 0),
    ]
    assert per_model == [CacheHits(("gpt-4o",), None, 6, 3), CacheHits(("haiku",), None, 1, 1)]
    assert none == [CacheHits((), None, 0, 0)] and none[0].hit_rate is None


def test_prompt_cache_share_of_input_tokens(store: Store) -> None:
    store.write(
        [
            make_span(span_type="llm", input_tokens=1000, cache_read_tokens=600),
            make_span(span_type="llm", input_tokens=500, cache_read_tokens=None),
            make_span(span_type="llm", input_tokens=None),
        ]
    )
    with store.connect() as conn:
        (row,) = usage(conn, SpanFilter(span_type="llm"))
    assert row.cache_read_share == 600 / 1500
