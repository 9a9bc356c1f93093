"""50 threads and 50 asyncio tasks tracing at once with one tracer never mix their trees."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import select

from llmobs_store.db.spans import Span as SpanRow
from llmobs_store.sdk import LLMTracer, context
from llmobs_store.store import Store

NUM_WORKERS = 50
# Every worker builds: root → child0, child1, child2; child2 → grandchild.
EXPECTED_PARENTS = {
    "root": None,
    "child0": "root",
    "child1": "root",
    "child2": "root",
    "grandchild": "child2",
}


def thread_worker(tracer: LLMTracer, worker: str, start: threading.Barrier) -> None:
    start.wait()
    tracer.start_trace(f"{worker}.root")
    for i in range(3):
        with tracer.span(f"{worker}.child{i}"):
            time.sleep(0.001)
            if i == 2:
                tracer.start_span(f"{worker}.grandchild")
                time.sleep(0.001)
                tracer.end_span()
    tracer.end_span()


async def task_worker(tracer: LLMTracer, worker: str) -> None:
    async def child(i: int) -> None:
        with tracer.span(f"{worker}.child{i}"):
            await asyncio.sleep(0.001)
            if i == 2:
                # A task created inside the child starts as the child's child.
                await asyncio.create_task(grandchild())
            await asyncio.sleep(0.001)

    async def grandchild() -> None:
        with tracer.span(f"{worker}.grandchild"):
            await asyncio.sleep(0.001)

    tracer.start_trace(f"{worker}.root")
    # Siblings run at once, each in its own task: none may become another's parent.
    await asyncio.gather(*(child(i) for i in range(3)))
    tracer.end_span()


def run_workload(tracer: LLMTracer) -> None:
    """50 threads and 50 tasks (on the main thread's event loop) all tracing at once."""
    start = threading.Barrier(NUM_WORKERS + 1)
    threads = [
        threading.Thread(target=thread_worker, args=(tracer, f"t{i}", start))
        for i in range(NUM_WORKERS)
    ]
    for thread in threads:
        thread.start()

    async def tasks() -> None:
        start.wait()
        await asyncio.gather(*(task_worker(tracer, f"a{i}") for i in range(NUM_WORKERS)))

    asyncio.run(tasks())
    for thread in threads:
        thread.join()
    tracer.flush()


def tree_errors(store: Store) -> list[str]:
    """Every way the stored spans differ from one correct tree per worker."""
    with store.connect() as conn:
        rows = conn.execute(
            select(SpanRow.trace_id, SpanRow.span_id, SpanRow.parent_span_id, SpanRow.name)
        ).all()
    by_id = {row.span_id: row for row in rows}
    by_worker: dict[str, dict[str, Any]] = defaultdict(dict)
    workers_in_trace: dict[str, set[str]] = defaultdict(set)
    spans_in_trace: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        worker, role = row.name.split(".")
        by_worker[worker][role] = row
        workers_in_trace[row.trace_id].add(worker)
        spans_in_trace[row.trace_id].append(row)
    errors = [f"trace {t} mixes {sorted(w)}" for t, w in workers_in_trace.items() if len(w) > 1]
    for trace_id, trace_spans in spans_in_trace.items():
        num_roots = sum(span.parent_span_id is None for span in trace_spans)
        if len(trace_spans) != len(EXPECTED_PARENTS) or num_roots != 1:
            errors.append(f"trace {trace_id}: {len(trace_spans)} spans, {num_roots} roots")
    expected_workers = {f"{kind}{i}" for kind in "ta" for i in range(NUM_WORKERS)}
    if set(by_worker) != expected_workers:
        errors.append(f"workers stored: {len(by_worker)} of {len(expected_workers)}")
    for worker, spans in sorted(by_worker.items()):
        if set(spans) != set(EXPECTED_PARENTS):
            errors.append(f"{worker}: spans {sorted(spans)}")
            continue
        if len({span.trace_id for span in spans.values()}) != 1:
            errors.append(f"{worker}: spans spread over several traces")
        for role, parent_role in EXPECTED_PARENTS.items():
            parent_id = spans[role].parent_span_id
            if parent_role is None:
                if parent_id is not None:
                    errors.append(f"{worker}.root has a parent")
            elif parent_id != spans[parent_role].span_id:
                parent = by_id.get(parent_id)
                errors.append(f"{worker}.{role} is under {parent.name if parent else parent_id}")
    return errors


def test_threads_and_tasks_build_separate_trees(store: Store) -> None:
    tracer = LLMTracer("concurrency", store)
    started = time.monotonic()
    run_workload(tracer)
    assert tree_errors(store) == []
    with store.connect() as conn:
        roots = conn.execute(select(SpanRow.span_id).where(SpanRow.parent_span_id.is_(None)))
        assert len(roots.all()) == 2 * NUM_WORKERS
    assert tracer.num_failed_exports == 0
    assert time.monotonic() - started < 10


class SharedSlot:
    """One current span for the whole process: the seed's design."""

    def __init__(self) -> None:
        self.value: context.SpanContext | None = None

    def get(self) -> context.SpanContext | None:
        return self.value

    def set(self, value: context.SpanContext | None) -> None:
        self.value = value


class ThreadLocalSlot:
    """One current span per thread: right for threads, shared by a thread's asyncio tasks."""

    def __init__(self) -> None:
        self.local = threading.local()

    def get(self) -> context.SpanContext | None:
        value: context.SpanContext | None = getattr(self.local, "value", None)
        return value

    def set(self, value: context.SpanContext | None) -> None:
        self.local.value = value


@pytest.mark.parametrize("slot", [SharedSlot, ThreadLocalSlot])
def test_the_check_catches_a_shared_current_span(
    store: Store, monkeypatch: pytest.MonkeyPatch, slot: type[SharedSlot | ThreadLocalSlot]
) -> None:
    monkeypatch.setattr(context, "_current", slot())
    run_workload(LLMTracer("broken", store))
    errors = tree_errors(store)
    assert errors, "a current span shared between workers went unnoticed"
    # A thread-local slot only fails the asyncio tasks; the threads still build right trees.
    if slot is ThreadLocalSlot:
        assert not [error for error in errors if re.search(r"\bt\d+\b", error)]
