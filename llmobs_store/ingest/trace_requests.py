"""OTLP trace requests to storable spans, in the serving process or in worker processes.

One Python process prepares (decodes, normalises, prices, protects) about 25,000 spans/s at
best, because the GIL serialises it, and the serving process also spends its time on HTTP and
the writer. Worker processes prepare on the other cores and hand back the span columns; the
serving process turns them into an Arrow table for its single writer.
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, NamedTuple

import pyarrow as pa

from llmobs_store.config import Settings
from llmobs_store.errors import IngestRejected, UnsupportedMediaType
from llmobs_store.ingest.arrow_columns import table_from_columns
from llmobs_store.ingest.arrow_tables import write_schema
from llmobs_store.ingest.content_policy import ContentPolicy
from llmobs_store.ingest.otlp import decode_traces
from llmobs_store.ingest.otlp_values import datetime_from_nanos
from llmobs_store.ingest.pipeline import prepare_spans
from llmobs_store.ingest.pricing import Pricer
from llmobs_store.ingest.records import SpanRecord
from llmobs_store.ingest.span_columns import COLUMNS, PreparedColumns, prepare_columns
from llmobs_store.ingest.trace_worker import WorkerConfig, read_frame, write_frame

log = logging.getLogger(__name__)

# The worker imports neither the store nor Arrow (llmobs_store imports Store lazily).
_BOOTSTRAP = "import sys\nfrom llmobs_store.ingest.trace_worker import main\nmain()\n"
_REJECTIONS: dict[str, type[IngestRejected]] = {
    "IngestRejected": IngestRejected,
    "UnsupportedMediaType": UnsupportedMediaType,
}


@dataclass(frozen=True)
class PreparedRequest:
    """The storable spans of one export request and what was rejected from it."""

    spans: list[SpanRecord]
    num_rejected: int
    rejection_message: str | None


def prepare_request(
    body: bytes, media_type: str, pricer: Pricer, policy: ContentPolicy
) -> PreparedRequest:
    """Decode, normalise, price and protect one request into records (``IngestRejected`` if
    undecodable). ``prepare_in_process`` gives the same rows as one table, faster."""
    decoded = decode_traces(body, media_type)
    prepared = prepare_spans(decoded.items, pricer, policy)
    message = decoded.rejection_message
    if prepared.rejected:
        failed = f"{prepared.num_rejected} spans failed to store: {prepared.rejected[0].reason}"
        message = f"{message}; {failed}" if message else failed
    return PreparedRequest(prepared.records, decoded.num_rejected + prepared.num_rejected, message)


@dataclass(frozen=True)
class PreparedTable:
    """A request's spans as an Arrow table (None when none is left) and what was rejected."""

    spans: pa.Table | None
    num_rejected: int
    rejection_message: str | None


def prepare_in_process(
    body: bytes, media_type: str, pricer: Pricer, policy: ContentPolicy
) -> PreparedTable:
    """Decode, normalise, price and protect one request in this process, as a table (the same
    rows as ``prepare_request``; ``IngestRejected`` if undecodable)."""
    return span_table(prepare_columns(body, media_type, policy), pricer)


def span_table(prepared: PreparedColumns, pricer: Pricer) -> PreparedTable:
    """``prepared`` priced, as a checked table, with the rejection summary of the request."""
    failures = list(prepared.failures)
    spans = None
    if prepared.columns is not None:
        columns: dict[str, Sequence[Any]] = dict(zip(COLUMNS, prepared.columns, strict=True))
        failed = _price(columns, pricer, failures)
        if failed:
            columns = {
                name: [v for i, v in enumerate(values) if i not in failed]
                for name, values in columns.items()
            }
        if columns["span_id"]:
            # The ids are the hex of OTLP ids whose lengths decoding checked: no need to
            # match them against the id pattern again.
            schema = write_schema("spans")
            spans = table_from_columns("spans", schema, columns, check_ids=False)
    message = prepared.invalid_message
    if failures:
        note = f"{len(failures)} spans failed to store: {failures[0]}"
        message = f"{message}; {note}" if message else note
    return PreparedTable(spans, prepared.num_invalid + len(failures), message)


class _PricedRow(NamedTuple):
    """What pricing reads of a span (``PricedSpan``), from its columns."""

    start_time: datetime
    provider: str | None
    model: str | None
    request_model: str | None
    response_model: str | None
    input_tokens: int | None
    output_tokens: int | None
    cache_read_tokens: int | None
    cache_write_tokens: int | None
    reasoning_tokens: int | None


def _price(columns: dict[str, Sequence[Any]], pricer: Pricer, failures: list[str]) -> set[int]:
    """Fill ``cost_usd`` and ``cost_source``; the rows whose pricing failed (as in
    ``prepare_spans``, a span that fails is left out and its reason added to ``failures``)."""
    inputs, outputs = columns["input_tokens"], columns["output_tokens"]
    costs: list[float | None] = [None] * len(inputs)
    sources: list[str | None] = [None] * len(inputs)
    failed = set()
    for i, (input_tokens, output_tokens) in enumerate(zip(inputs, outputs, strict=True)):
        if input_tokens is None and output_tokens is None:
            continue  # unpriced; most spans are not LLM calls
        row = _PricedRow(
            datetime_from_nanos(columns["start_time"][i] * 1000),
            columns["provider"][i],
            columns["model"][i],
            columns["request_model"][i],
            columns["response_model"][i],
            input_tokens,
            output_tokens,
            columns["cache_read_tokens"][i],
            columns["cache_write_tokens"][i],
            columns["reasoning_tokens"][i],
        )
        try:
            costs[i], sources[i] = pricer.price(row)
        # Broad on purpose, as in prepare_spans: one odd span must not cost the batch.
        except Exception as exc:
            log.exception(
                "span %s of trace %s rejected", columns["span_id"][i], columns["trace_id"][i]
            )
            failures.append(f"{type(exc).__name__}: {exc}")
            failed.add(i)
    columns["cost_usd"] = costs
    columns["cost_source"] = sources
    return failed


class TracePreparationPool:
    """Worker processes that turn OTLP trace request bodies into span tables.

    Each request takes an idle worker (waiting for one when all are busy), so at most
    ``num_workers`` requests are prepared at once and the others queue in the server threads.

    >>> pool = TracePreparationPool(settings, num_workers=2)                  # doctest: +SKIP
    >>> prepared = pool.prepare(body, "application/x-protobuf", pricer)       # doctest: +SKIP
    >>> store.submit_tables({"spans": prepared.spans})                         # doctest: +SKIP
    """

    def __init__(self, settings: Settings, num_workers: int) -> None:
        self._config = pickle.dumps(
            WorkerConfig(
                settings.capture_content,
                settings.max_content_chars,
                settings.redact_patterns,
            )
        )
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._workers = [_Worker(self._config) for _ in range(num_workers)]
        self._lock = threading.Lock()
        self._closed = False
        for worker in self._workers:
            self._idle.put(worker)

    def prepare(self, body: bytes, media_type: str, pricer: Pricer) -> PreparedTable:
        """Prepare ``body`` in a worker, then price it here with ``pricer``; raises
        ``IngestRejected`` as decoding does."""
        worker = self._idle.get()
        try:
            answer = worker.call(media_type.encode(), body)
        except OSError as exc:
            # The worker died (killed, out of memory): replace it; the request fails (503)
            # and the exporter sends it again.
            log.error("ingest worker %s failed (%s); starting another", worker.pid, exc)
            worker = self._replace(worker)
            raise RuntimeError(f"an ingest worker process failed: {exc}") from exc
        finally:
            self._idle.put(worker)
        if answer[0] == "rejected":
            _, kind, message, field = answer
            raise _REJECTIONS.get(kind, IngestRejected)(message, field=field)
        return span_table(PreparedColumns(*answer), pricer)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.close()
        with self._lock:
            if self._closed:  # stopping: the pipes were closed under the request
                return worker
            replacement = _Worker(self._config)
            self._workers[self._workers.index(worker)] = replacement
        return replacement

    @property
    def pids(self) -> list[int]:
        """The workers' process ids."""
        return [worker.pid for worker in self._workers]

    def close(self) -> None:
        """Stop the workers (each finishes the request it is preparing)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for worker in self._workers:
                worker.close()


class _Worker:
    """One worker process and its pipes; used by one thread at a time."""

    def __init__(self, config: bytes) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _BOOTSTRAP],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # The pool's threads hold the pipes: a worker must not inherit other fds.
            close_fds=True,
            # The modules this process imported, found where it found them.
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )
        self._stdin: IO[bytes] = self._process.stdin  # type: ignore[assignment]
        self._stdout: IO[bytes] = self._process.stdout  # type: ignore[assignment]
        write_frame(self._stdin, config)
        self._stdin.flush()

    @property
    def pid(self) -> int:
        return self._process.pid

    def call(self, header: bytes, body: bytes) -> tuple[Any, ...]:
        write_frame(self._stdin, header)
        write_frame(self._stdin, body)
        self._stdin.flush()
        frame = read_frame(self._stdout)
        if frame is None:
            raise OSError(f"worker exited with status {self._process.poll()}")
        answer: tuple[Any, ...] = pickle.loads(frame)
        return answer

    def close(self) -> None:
        try:
            self._stdin.close()
        except OSError:
            pass  # already gone
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._stdout.close()
