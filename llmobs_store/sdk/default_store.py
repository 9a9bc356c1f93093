"""The process-wide default ``Store``: opened from ``LLMOBS_DATABASE_URL`` on first use."""

from __future__ import annotations

import atexit
import threading

from llmobs_store.store import Store

_lock = threading.Lock()
_store: Store | None = None
_close_registered = False


def default_store() -> Store:
    """The default store, opened on the first call (thread-safe) and closed at exit.

    Tracers, metrics and loggers built without ``store=`` or ``exporter=`` write here, so an
    application can instrument itself with no set-up beyond ``LLMOBS_DATABASE_URL``.
    """
    global _store, _close_registered
    with _lock:
        if _store is None:
            _store = Store.open()
            if not _close_registered:
                # Closing commits what is still queued: spans ended just before exit survive.
                atexit.register(close_default_store)
                _close_registered = True
        return _store


def close_default_store() -> None:
    """Commit what is queued and close the default store; the next use opens it again."""
    global _store
    with _lock:
        store, _store = _store, None
    if store is not None:
        store.close()
