"""The evaluator thread that ``llmobs serve`` runs: evaluate every interval, deliver on another."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError

from llmobs_store.alerts.defaults import install_default_rules
from llmobs_store.alerts.delivery import NotificationDispatcher
from llmobs_store.alerts.evaluator import Evaluator
from llmobs_store.alerts.history import fail_interrupted
from llmobs_store.alerts.notifiers import ensure_log_output
from llmobs_store.errors import LlmobsError
from llmobs_store.store import Store

logger = logging.getLogger("llmobs.alerts")
# pg_try_advisory_lock key of the evaluating process ("llmobsal" in ASCII).
ADVISORY_LOCK_KEY = 0x6C6C6D6F6273616C


class AlertScheduler:
    """Evaluates the stored rules every ``alert_interval_s`` on a daemon thread.

    >>> scheduler = AlertScheduler(store)     # doctest: +SKIP
    >>> scheduler.start()
    >>> scheduler.stop()                      # on shutdown, before the store closes

    Evaluation and delivery each have their own thread: a slow webhook delays neither the
    next evaluation nor ingestion (which runs on the store's writer thread).
    """

    def __init__(self, store: Store, *, interval_s: float | None = None) -> None:
        settings = store.settings
        self.store = store
        self.interval_s = settings.alert_interval_s if interval_s is None else interval_s
        self.dispatcher = NotificationDispatcher(
            store.engine,
            max_attempts=settings.alert_notify_max_attempts,
            backoff_s=settings.alert_notify_backoff_s,
        )
        self.evaluator = Evaluator(
            store, dispatcher=self.dispatcher, notify_timeout_s=settings.alert_notify_timeout_s
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock: Connection | None = None

    def start(self) -> None:
        """Install missing built-ins (if set to), then evaluate now and every interval."""
        if self.interval_s <= 0 or self._thread is not None:
            return
        ensure_log_output()
        if self.store.settings.alert_install_defaults:
            added = install_default_rules(self.store)
            if added:
                logger.info("installed built-in alert rules: %s", ", ".join(added))
        self.dispatcher.start()
        self._thread = threading.Thread(target=self._run, name="llmobs-alerts", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop evaluating, then stop delivering after the notification in progress."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        self.dispatcher.stop(timeout_s)

    @property
    def running(self) -> bool:
        """Whether the evaluator thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def leading(self) -> bool:
        """Whether this process holds the PostgreSQL evaluation lock (always on DuckDB)."""
        return self.store.dialect_name != "postgresql" or self._lock is not None

    def _run(self) -> None:
        was_leading = False
        try:
            while not self._stop.is_set():
                try:
                    leading = self._lead()
                    if leading and not was_leading:
                        # Only the evaluating process queues notifications: any still queued
                        # were lost with a process that stopped.
                        fail_interrupted(self.store.engine)
                    was_leading = leading
                    if leading:
                        self.evaluator.evaluate()
                except (LlmobsError, SQLAlchemyError, ValueError):
                    logger.exception("alert evaluation failed")
                self._stop.wait(self.interval_s)
        finally:
            if self._lock is not None:
                # Closing would hand the session (and its lock) back to the pool: end it.
                self._lock.invalidate()
                self._lock.close()
                self._lock = None

    def _lead(self) -> bool:
        """Whether this process evaluates: on PostgreSQL, the one holding the advisory lock.

        Several `llmobs serve` processes may share a PostgreSQL database; only one of them
        evaluates, and another takes over (from the history) when it goes away.
        """
        if self.store.dialect_name != "postgresql":
            return True
        if self._lock is not None and not self._lock.closed and not self._lock.invalidated:
            return True
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        conn = self.store.engine.connect()
        held = bool(conn.execute(select(func.pg_try_advisory_lock(ADVISORY_LOCK_KEY))).scalar())
        conn.commit()
        if not held:
            conn.close()
            return False
        self._lock = conn
        # States kept from an earlier turn as leader may be stale: read the history again.
        self.evaluator.forget_states()
        return True
