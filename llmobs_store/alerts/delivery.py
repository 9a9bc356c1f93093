"""Notification delivery on a background thread: retries with backoff, outcome stored."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from llmobs_store.alerts.history import record_notification
from llmobs_store.alerts.notifiers import DeliveryFailed, Notification, Notifier

logger = logging.getLogger("llmobs.alerts")


@dataclass(frozen=True)
class _Job:
    event_id: int
    notifiers: tuple[Notifier, ...]
    notification: Notification


class NotificationDispatcher:
    """Sends notifications off the evaluator's thread, so a slow receiver delays nothing else.

    Each notifier gets up to ``max_attempts`` tries, waiting ``backoff_s``, then twice that,
    and so on between them. The outcome lands in the event's ``notification_status``
    (``sent`` or ``failed``), ``notification_attempts`` and ``notification_error``.

    >>> dispatcher = NotificationDispatcher(store.engine)   # doctest: +SKIP
    >>> dispatcher.start(); dispatcher.submit(event_id, [LogNotifier()], notification)
    """

    def __init__(
        self,
        engine: Engine,
        *,
        max_attempts: int = 4,
        backoff_s: float = 1.0,
        queue_max: int = 1_000,
        on_outcome: Callable[[int, str, int, str | None], None] | None = None,
    ) -> None:
        self._engine = engine
        self.max_attempts = max(1, max_attempts)
        self.backoff_s = backoff_s
        self._queue: queue.Queue[_Job | None] = queue.Queue(queue_max)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_outcome = on_outcome

    def start(self) -> None:
        """Start the delivery thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="llmobs-alert-delivery", daemon=True
            )
            self._thread.start()

    def submit(
        self, event_id: int, notifiers: Sequence[Notifier], notification: Notification
    ) -> None:
        """Queue a delivery; never blocks (a full queue is recorded as a failure)."""
        try:
            self._queue.put_nowait(_Job(event_id, tuple(notifiers), notification))
        except queue.Full:
            self._record(event_id, "failed", 0, "notification queue full")

    def wait_idle(self, timeout_s: float | None = None) -> bool:
        """Wait until everything queued is delivered or given up; False on timeout."""
        done = threading.Event()

        def join() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=join, daemon=True).start()
        return done.wait(timeout_s)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the delivery in progress; queued ones are not retried any more."""
        self._stopping.set()
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                self._deliver(job)
            except Exception:  # a broken notifier or database must not end the thread
                logger.exception("alert delivery failed")
            finally:
                self._queue.task_done()

    def _deliver(self, job: _Job) -> None:
        attempts = 0
        errors: list[str] = []
        for notifier in job.notifiers:
            for attempt in range(self.max_attempts):
                if attempt:
                    if self._stopping.wait(self.backoff_s * 2 ** (attempt - 1)):
                        errors.append(f"{notifier.name}: stopped before retrying")
                        break
                attempts += 1
                try:
                    notifier.send(job.notification)
                except DeliveryFailed as exc:
                    if not exc.retryable or attempt == self.max_attempts - 1:
                        errors.append(f"{notifier.name}: {exc}")
                        break
                    continue
                break
        status = "failed" if errors else "sent"
        self._record(job.event_id, status, attempts, "; ".join(errors) or None)

    def _record(self, event_id: int, status: str, attempts: int, error: str | None) -> None:
        if error:
            logger.warning("alert notification of event %s failed: %s", event_id, error)
        try:
            record_notification(self._engine, event_id, status, attempts, error)
        except SQLAlchemyError:
            logger.exception("could not record the outcome of alert event %s", event_id)
        if self._on_outcome is not None:
            self._on_outcome(event_id, status, attempts, error)
