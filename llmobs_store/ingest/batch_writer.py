"""The one writer thread: group commit of queued Arrow batches, acknowledged after commit."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field

import pyarrow as pa
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from llmobs_store.errors import WriterBusy, WriterClosed
from llmobs_store.ingest.sinks import Sink

log = logging.getLogger(__name__)

CommitListener = Callable[[dict[str, pa.Table]], None]


@dataclass
class _Submission:
    batches: dict[str, pa.Table]
    num_rows: int
    future: Future[None] = field(default_factory=Future)


class BatchWriter:
    """Commits submitted rows in as few transactions as load allows.

    The thread writes as soon as it is free and work is waiting: at rest one submission is
    one small commit; under load, what queued during the previous commit goes out together.
    A submission's future completes only after the transaction holding it has committed.

    >>> writer = BatchWriter(engine, DuckDBSink(), batch_max_rows=100_000,
    ...                      queue_max_rows=200_000)               # doctest: +SKIP
    >>> writer.submit({"spans": arrow_table}).result(timeout=5)    # doctest: +SKIP
    """

    def __init__(
        self,
        engine: Engine,
        sink: Sink,
        *,
        batch_max_rows: int,
        queue_max_rows: int,
        flush_interval_s: float = 0.0,
        retry_after_s: float = 1.0,
        linger_s: float = 0.0,
    ) -> None:
        self._engine = engine
        self._sink = sink
        self._batch_max_rows = batch_max_rows
        self._queue_max_rows = queue_max_rows
        self._flush_interval_s = flush_interval_s
        self._retry_after_s = retry_after_s
        self._linger_s = linger_s
        self._incoming = 0  # submissions announced by ``expect`` and not made yet
        self._cond = threading.Condition()
        self._queue: deque[_Submission] = deque()
        self._pending_rows = 0  # queued or being written, released after commit
        self._closed = False
        self._listeners: list[CommitListener] = []
        self._thread = threading.Thread(target=self._run, name="llmobs-writer", daemon=True)
        self._thread.start()

    def add_commit_listener(self, listener: CommitListener) -> None:
        """Call ``listener(stored)`` on the writer thread after each commit.

        ``stored`` maps table names to the rows really stored (duplicates left out). A
        listener must be quick and must not raise; what it raises is logged and dropped.
        """
        self._listeners.append(listener)

    @property
    def pending_rows(self) -> int:
        """Rows accepted but not yet committed."""
        return self._pending_rows

    def submit(
        self, batches: dict[str, pa.Table], *, block: bool = False, timeout: float | None = None
    ) -> Future[None]:
        """Queue ``batches`` (table name → rows); the future completes after their commit.

        A full queue raises ``WriterBusy`` at once, or with ``block=True`` waits for room
        (up to ``timeout`` seconds). A submission larger than the whole queue is still taken
        when the queue is empty, so no submission can be refused forever.
        """
        submission = _Submission(batches, sum(t.num_rows for t in batches.values()))
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                if self._closed:
                    raise WriterClosed("the store is closed")
                fits = self._pending_rows + submission.num_rows <= self._queue_max_rows
                if fits or self._pending_rows == 0:
                    break
                remaining = None if deadline is None else deadline - time.monotonic()
                if not block or (remaining is not None and remaining <= 0):
                    raise WriterBusy(self._pending_rows, self._queue_max_rows, self._retry_after_s)
                self._cond.wait(remaining)
            self._queue.append(submission)
            self._pending_rows += submission.num_rows
            self._cond.notify_all()
        return submission.future

    @contextmanager
    def expect(self) -> Iterator[None]:
        """Announce a submission that is being prepared (made inside the block, or not at all).

        While announced submissions are pending, the writer holds a flush for up to
        ``linger_s`` so that they join it: each commit has a fixed cost (~10 ms on DuckDB),
        and requests prepared one after another would otherwise be committed one by one.
        """
        with self._cond:
            self._incoming += 1
        try:
            yield
        finally:
            with self._cond:
                self._incoming -= 1
                self._cond.notify_all()

    def close(self, timeout: float | None = None) -> None:
        """Refuse new submissions, commit everything queued, and stop the thread."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        conn = self._engine.connect()
        try:
            while True:
                taken = self._take()
                if taken is None:
                    return
                conn = self._write(conn, taken)
                with self._cond:
                    self._pending_rows -= sum(s.num_rows for s in taken)
                    self._cond.notify_all()
        finally:
            conn.close()

    def _take(self) -> list[_Submission] | None:
        """Wait for work; return the submissions of the next flush, or None once closed."""
        with self._cond:
            while not self._queue:
                if self._closed:
                    return None
                self._cond.wait()
            if self._flush_interval_s > 0:
                deadline = time.monotonic() + self._flush_interval_s
                while self._queued_rows() < self._batch_max_rows and not self._closed:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
            if self._linger_s > 0:
                deadline = time.monotonic() + self._linger_s
                while (
                    self._incoming > 0
                    and self._queued_rows() < self._batch_max_rows
                    and not self._closed
                ):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
            taken = [self._queue.popleft()]
            rows = taken[0].num_rows
            while self._queue and rows + self._queue[0].num_rows <= self._batch_max_rows:
                rows += self._queue[0].num_rows
                taken.append(self._queue.popleft())
            return taken

    def _queued_rows(self) -> int:
        return sum(s.num_rows for s in self._queue)

    def _write(self, conn: Connection, taken: list[_Submission]) -> Connection:
        """Commit ``taken`` together; if that fails, each on its own so one bad row fails alone.

        A lone submission is tried again too: the sink may take another way after a failure
        (``DuckDBSink`` merges trace summaries it found it could not simply insert).
        """
        try:
            self._commit(conn, taken)
        except Exception as exc:
            conn = self._recover(conn, exc)
            for submission in taken:
                try:
                    self._commit(conn, [submission])
                except Exception as single_exc:
                    conn = self._recover(conn, single_exc)
                    submission.future.set_exception(single_exc)
                else:
                    submission.future.set_result(None)
            return conn
        for submission in taken:
            submission.future.set_result(None)
        return conn

    def _commit(self, conn: Connection, taken: list[_Submission]) -> None:
        merged: dict[str, list[pa.Table]] = {}
        for submission in taken:
            for name, rows in submission.batches.items():
                merged.setdefault(name, []).append(rows)
        with conn.begin():
            stored = self._sink.write(
                conn,
                {n: pa.concat_tables(parts) for n, parts in merged.items()},
                want_stored=bool(self._listeners),
            )
        for listener in self._listeners:
            try:
                listener(stored)
            except Exception:
                log.exception("commit listener %r failed", listener)

    def _recover(self, conn: Connection, exc: Exception) -> Connection:
        """Log the failure; replace the connection when the database dropped it."""
        log.warning("batch write failed: %s", exc)
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            conn.close()
            return self._engine.connect()
        return conn
