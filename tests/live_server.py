"""A real HTTP server on 127.0.0.1 (waitress, as ``llmobs serve`` runs it) over the test store.

The fixtures are made available to every test by ``tests/conftest.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from waitress.server import create_server

from llmobs_store.config import Settings
from llmobs_store.store import Store
from webui import close_app, create_app


@dataclass(frozen=True)
class LiveServer:
    """Base URL of the running server and the store behind it."""

    url: str
    store: Store


@contextmanager
def serving(store: Store) -> Iterator[LiveServer]:
    """Serve ``store`` on a free loopback port in a background thread until the block ends."""
    app = create_app(store=store)
    server = create_server(
        app,
        host="127.0.0.1",
        port=0,
        threads=4,
        max_request_body_size=int(store.settings.max_request_mb * 1024 * 1024),
    )
    thread = threading.Thread(target=server.run, name="test-waitress", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.effective_port}", store)
    finally:
        # Closing the sockets under the running loop makes its poll() fail with EBADF: close
        # them from inside the loop instead; with nothing left to watch, the loop returns.
        server.trigger.pull_trigger(lambda: _close_all(server))
        thread.join(10)
        assert not thread.is_alive(), "the test server did not stop"
        close_app(app)


def _close_all(server: Any) -> None:
    for dispatcher in list(server._map.values()):
        if dispatcher is not server and dispatcher is not server.trigger:
            dispatcher.close()
    server.close()  # the listening socket, the trigger and the worker threads


@contextmanager
def serving_new_store(database_url: str, settings: Settings) -> Iterator[LiveServer]:
    """Open a store with ``settings``, serve it, and close both afterwards."""
    with Store.open(database_url, settings=settings) as store, serving(store) as live:
        yield live


@pytest.fixture
def live_server(store: Store) -> Iterator[LiveServer]:
    """The app served over real HTTP on both backends."""
    with serving(store) as live:
        yield live


@pytest.fixture
def keyed_server(database_url: str, settings: Settings) -> Iterator[LiveServer]:
    """A server that requires one of two API keys on /v1."""
    with serving_new_store(database_url, settings.replace(api_keys=("k-one", "k-two"))) as live:
        yield live
