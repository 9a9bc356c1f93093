"""The write path: group commit, acknowledgement after commit, dedupe, back-pressure, shutdown."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import Connection, text

from llmobs_store.config import Settings
from llmobs_store.errors import IngestRejected, WriterBusy, WriterClosed
from llmobs_store.ingest.batch_writer import BatchWriter
from llmobs_store.ingest.sinks import Sink, sink_for
from llmobs_store.store import Store
from tests.conftest import count_rows
from tests.factories import make_log, make_span


class GatedSink:
    """The real sink, held at a gate so a test can see what happens while a write is running."""

    def __init__(self, inner: Sink) -> None:
        self.inner = inner
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.calls: list[int] = []

    def write(
        self, conn: Connection, batches: dict[str, pa.Table], *, want_stored: bool = True
    ) -> dict[str, pa.Table]:
        self.entered.set()
        assert self.gate.wait(10), "test never opened the gate"
        if any(
            "poison" in t.column("name").to_pylist() for n, t in batches.items() if n == "spans"
        ):
            raise ValueError("poisoned batch")
        self.calls.append(sum(t.num_rows for t in batches.values()))
        return self.inner.write(conn, batches, want_stored=want_stored)


def _gated_writer(store: Store, sink: GatedSink, *, queue_max_rows: int = 50) -> BatchWriter:
    return BatchWriter(store.engine, sink, batch_max_rows=1_000, queue_max_rows=queue_max_rows)


def _submit(writer: BatchWriter, *records: object) -> Future[None]:
    from llmobs_store.ingest.arrow_tables import to_arrow

    spans = [r for r in records if getattr(r, "table", None) == "spans"]
    return writer.submit({"spans": to_arrow("spans", spans)})  # type: ignore[arg-type]


def test_same_span_twice_stores_one_row(store: Store) -> None:
    span = make_span(input_tokens=10, output_tokens=2, span_type="llm")
    store.write([span, span])  # twice in one submission
    store.write([span])  # and again later
    assert count_rows(store, "spans") == 1
    with store.connect() as conn:
        summary = conn.execute(text("SELECT num_spans, input_tokens FROM traces")).one()
    assert tuple(summary) == (1, 10)


def test_redelivery_mixed_with_new_spans_keeps_the_new_ones(store: Store) -> None:
    trace_id = make_span().trace_id
    first = [make_span(trace_id=trace_id, offset_ms=i) for i in range(5)]
    store.write(first)
    second = first[2:] + [make_span(trace_id=trace_id, offset_ms=10 + i) for i in range(3)]
    store.write(second)
    assert count_rows(store, "spans") == 8
    with store.connect() as conn:
        assert conn.execute(text("SELECT num_spans FROM traces")).scalar_one() == 8


def test_dedupe_against_stored_rows_on_the_bulk_path(store: Store) -> None:
    """Over 1,000 distinct traces the writer dedupes with a join instead of index probes."""
    spans = [make_span() for _ in range(1_500)]
    store.write(spans[:700])
    store.write(spans)
    assert count_rows(store, "spans") == 1_500
    assert count_rows(store, "traces") == 1_500


def test_acknowledged_only_after_commit(store: Store) -> None:
    sink = GatedSink(sink_for(store.dialect_name))
    writer = _gated_writer(store, sink)
    try:
        span = make_span()
        future = _submit(writer, span)
        assert sink.entered.wait(5)
        assert not future.done()
        assert count_rows(store, "spans") == 0
        sink.gate.set()
        future.result(timeout=10)
        # The acknowledgement means another connection already sees the row.
        assert count_rows(store, "spans") == 1
    finally:
        sink.gate.set()
        writer.close()


def test_submissions_queued_during_a_write_share_one_commit(store: Store) -> None:
    sink = GatedSink(sink_for(store.dialect_name))
    writer = _gated_writer(store, sink, queue_max_rows=1_000)
    try:
        first = _submit(writer, make_span())
        assert sink.entered.wait(5)
        queued = [_submit(writer, make_span(), make_span()) for _ in range(10)]
        sink.gate.set()
        for future in [first, *queued]:
            future.result(timeout=10)
        assert sink.calls == [1, 20]
    finally:
        sink.gate.set()
        writer.close()
    assert count_rows(store, "spans") == 21


def test_full_queue_fails_fast_with_busy(store: Store) -> None:
    sink = GatedSink(sink_for(store.dialect_name))
    writer = _gated_writer(store, sink, queue_max_rows=10)
    try:
        accepted = [_submit(writer, *[make_span() for _ in range(5)]) for _ in range(2)]
        assert sink.entered.wait(5)
        with pytest.raises(WriterBusy) as busy:
            _submit(writer, make_span())
        assert busy.value.retry_after_s > 0
        assert busy.value.pending_rows == 10
        with pytest.raises(WriterBusy):
            from llmobs_store.ingest.arrow_tables import to_arrow

            writer.submit({"spans": to_arrow("spans", [make_span()])}, block=True, timeout=0.2)
        sink.gate.set()
        for future in accepted:
            future.result(timeout=10)
        _submit(writer, make_span()).result(timeout=10)
    finally:
        sink.gate.set()
        writer.close()
    assert count_rows(store, "spans") == 11


def test_one_bad_submission_fails_alone(store: Store) -> None:
    sink = GatedSink(sink_for(store.dialect_name))
    writer = _gated_writer(store, sink, queue_max_rows=1_000)
    try:
        blocker = _submit(writer, make_span())
        assert sink.entered.wait(5)
        good = [_submit(writer, make_span()) for _ in range(3)]
        bad = _submit(writer, make_span(name="poison"))
        sink.gate.set()
        blocker.result(timeout=10)
        for future in good:
            future.result(timeout=10)
        with pytest.raises(ValueError, match="poisoned"):
            bad.result(timeout=10)
    finally:
        sink.gate.set()
        writer.close()
    assert count_rows(store, "spans") == 4


def test_close_commits_everything_queued(database_url: str, settings: Settings) -> None:
    store = Store.open(database_url, settings=settings)
    futures = [store.submit([make_span() for _ in range(100)], block=True) for _ in range(20)]
    store.close()
    assert all(f.done() and f.exception() is None for f in futures)
    with pytest.raises(WriterClosed):
        store.submit([make_span()])
    with Store.open(database_url, settings=settings) as reopened:
        assert count_rows(reopened, "spans") == 2_000


def test_invalid_ids_are_rejected_before_queueing(store: Store) -> None:
    with pytest.raises(IngestRejected, match="trace_id") as rejected:
        store.submit([make_span(), make_span(trace_id="ABC")])
    assert rejected.value.field == "trace_id"
    with pytest.raises(IngestRejected, match="parent_span_id"):
        store.submit([make_span(parent_span_id="0" * 16)])
    with pytest.raises(IngestRejected, match="span_id"):
        store.submit([make_span(span_id="123")])
    store.flush()
    assert count_rows(store, "spans") == 0


def test_unencodable_text_is_rejected(store: Store) -> None:
    with pytest.raises(IngestRejected, match="name"):
        store.submit([make_span(name="bad \ud800 surrogate")])


def test_logs_and_spans_in_one_submission(store: Store) -> None:
    span = make_span()
    store.write([span, make_log(trace_id=span.trace_id, span_id=span.span_id)])
    assert count_rows(store, "spans") == 1
    with store.connect() as conn:
        row = conn.execute(text("SELECT id, trace_id, message FROM logs")).one()
    assert row.id >= 1 and row.trace_id == span.trace_id and row.message == "hello"


def test_trace_summary_merges_spans_arriving_children_first(store: Store) -> None:
    root = make_span(name="POST /answer", duration_ms=1_000, service_name="app")
    child: dict[str, Any] = dict(
        trace_id=root.trace_id, parent_span_id=root.span_id, span_type="llm"
    )
    store.write([make_span(offset_ms=100, input_tokens=10, output_tokens=5, **child)])
    store.write([make_span(offset_ms=300, status="error", **child)])
    store.write([make_span(offset_ms=500, input_tokens=1, cost_usd=0.5, **child)])
    with store.connect() as conn:
        before_root = conn.execute(text("SELECT * FROM traces")).one()
    assert before_root.name is None and before_root.num_spans == 3
    store.write([root])
    with store.connect() as conn:
        summary = conn.execute(text("SELECT * FROM traces")).one()
    assert summary.root_span_id == root.span_id
    assert summary.name == "POST /answer" and summary.service_name == "app"
    assert summary.num_spans == 4 and summary.num_errors == 1 and summary.num_llm_spans == 3
    assert summary.input_tokens == 11 and summary.output_tokens == 5
    assert summary.cost_usd == pytest.approx(0.5)
    assert summary.num_unpriced == 1  # the 10/5-token call has no cost; the failed one no tokens
    assert summary.duration_ms == pytest.approx(1_000)
    assert summary.start_time == root.start_time


def test_connections_run_in_utc(store: Store) -> None:
    with store.connect() as conn:
        zone = conn.execute(text("SELECT current_setting('TimeZone')")).scalar_one()
    assert zone in {"UTC", "Etc/UTC"}


def test_commit_listeners_see_stored_rows_only(store: Store) -> None:
    seen: list[dict[str, int]] = []
    store.add_commit_listener(
        lambda stored: seen.append({n: t.num_rows for n, t in stored.items()})
    )

    def failing(stored: dict[str, pa.Table]) -> None:
        raise RuntimeError("a failing listener is logged, not fatal")

    store.add_commit_listener(failing)
    span = make_span(model="gpt-4o", input_tokens=3)
    store.write([span, make_log()])
    store.write([span, make_span()])
    assert seen == [{"spans": 1, "logs": 1}, {"spans": 1}]
    assert count_rows(store, "spans") == 2


def test_an_announced_submission_joins_the_waiting_one(store: Store) -> None:
    sink = GatedSink(sink_for(store.dialect_name))
    sink.gate.set()
    writer = BatchWriter(store.engine, sink, batch_max_rows=1_000, queue_max_rows=50, linger_s=60.0)
    try:
        with writer.expect():
            first = _submit(writer, make_span(name="first"))
            with writer.expect():
                second = _submit(writer, make_span(name="second"))
        first.result(10)
        second.result(10)
        assert sink.calls == [2]  # one commit for both
        # Nothing announced: a lone submission is written at once, not after the linger.
        _submit(writer, make_span(name="alone")).result(10)
        assert sink.calls == [2, 1]
    finally:
        writer.close()


def test_a_summary_left_without_spans_is_merged_into(store: Store) -> None:
    first = make_span(input_tokens=3)
    store.write([first])
    with store.connect() as conn, conn.begin():
        conn.execute(text("DELETE FROM spans"))  # the summary stays behind
    for n in range(2):  # the second time the sink already knows to merge
        store.write([make_span(trace_id=first.trace_id, input_tokens=4, name=f"again {n}")])
    with store.connect() as conn:
        summary = conn.execute(text("SELECT num_spans, input_tokens FROM traces")).one()
    assert tuple(summary) == (3, 11)
    assert count_rows(store, "spans") == 2
