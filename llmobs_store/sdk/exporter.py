"""Where SDK records go: the ``RecordExporter`` plug point, the store exporter, pending writes."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future, wait
from typing import Protocol

from llmobs_store.ingest.records import RawSpan, Record
from llmobs_store.sdk.default_store import default_store
from llmobs_store.store import Store

log = logging.getLogger(__name__)


class RecordExporter(Protocol):
    """Accepts finished spans and other records; each future completes once they are durable."""

    def export_spans(self, spans: Sequence[RawSpan]) -> Future[None]:
        """Queue ``spans`` as the producer described them (normalised and priced downstream)."""
        ...

    def export(self, records: Sequence[Record]) -> Future[None]:
        """Queue ready ``records`` (request samples, metric points, logs)."""
        ...

    def flush(self, timeout: float | None = None) -> None:
        """Return once everything exported before this call is durable."""
        ...


class StoreExporter:
    """Exports into a ``Store`` in this process, waiting for queue room (back-pressure).

    >>> tracer = LLMTracer("checkout", exporter=StoreExporter(store))   # doctest: +SKIP

    Given a callable instead of a store, it calls it on first use: ``default_store`` is
    opened only when something is actually exported.
    """

    def __init__(self, store: Store | Callable[[], Store]) -> None:
        self._store = store

    @property
    def store(self) -> Store:
        """The store written to (opened now if it was given as a callable)."""
        return self._store if isinstance(self._store, Store) else self._store()

    def export_spans(self, spans: Sequence[RawSpan]) -> Future[None]:
        return self.store.submit_spans(spans, block=True)

    def export(self, records: Sequence[Record]) -> Future[None]:
        return self.store.submit(records, block=True)

    def flush(self, timeout: float | None = None) -> None:
        self.store.flush(timeout)


def resolve_exporter(store: Store | None, exporter: RecordExporter | None) -> RecordExporter:
    """The exporter for a ``store=``/``exporter=`` pair; with neither, the default store."""
    if store is not None and exporter is not None:
        raise ValueError("pass store= or exporter=, not both")
    if exporter is not None:
        return exporter
    return StoreExporter(store if store is not None else default_store)


def reading_store(exporter: RecordExporter) -> Store | None:
    """The store an exporter writes to, for reading back; None when it is not a local store."""
    return exporter.store if isinstance(exporter, StoreExporter) else None


class PendingExports:
    """Futures of exports not yet committed: ``wait`` waits for them, failures are logged.

    Telemetry must not break the application, so a failed export is logged (with what was
    lost) and counted in ``num_failed`` instead of raised into the caller's code.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: set[Future[None]] = set()
        self.num_failed = 0

    def track(self, send: Callable[[], Future[None]], what: str) -> None:
        """Call ``send`` now and remember its future; ``what`` names the data in error logs."""
        try:
            future = send()
        except Exception:
            log.exception("llmobs could not export %s", what)
            self._count_failure()
            return
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(lambda done: self._done(done, what))

    def wait(self, timeout: float | None = None) -> None:
        """Return once every export tracked before this call has finished.

        Raises ``TimeoutError`` when some are still pending after ``timeout`` seconds.
        """
        with self._lock:
            futures = list(self._futures)
        _, not_done = wait(futures, timeout)
        if not_done:
            raise TimeoutError(f"{len(not_done)} exports still pending after {timeout} s")

    def _done(self, future: Future[None], what: str) -> None:
        with self._lock:
            self._futures.discard(future)
        exc = CancelledError() if future.cancelled() else future.exception()
        if exc is not None:
            log.error("llmobs failed to store %s: %s", what, exc, exc_info=exc)
            self._count_failure()

    def _count_failure(self) -> None:
        with self._lock:
            self.num_failed += 1
