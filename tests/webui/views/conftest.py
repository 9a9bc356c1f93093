"""A store seeded with a small demo (on DuckDB and PostgreSQL) and a Flask client over it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from llmobs_store.config import Settings
from llmobs_store.store import Store
from seed_data import load_demo
from tests.conftest import BACKENDS, POSTGRES_URL, reset_postgres
from webui import close_app, create_app

NUM_TRACES = 120


def open_seeded_store(backend: str, folder: Path, **settings: object) -> Store:
    """A store holding the demo's last day (``NUM_TRACES`` traces ending now)."""
    if backend == "duckdb":
        url = f"duckdb:///{folder / 'views.duckdb'}"
    else:
        reset_postgres()
        url = POSTGRES_URL
    store = Store.open(url, settings=Settings(server_threads=2).replace(**settings))
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    load_demo(store, num_traces=NUM_TRACES, days=1, seed=7, end=end)
    return store


@pytest.fixture(scope="module", params=BACKENDS)
def seeded_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The demo store shared by a module's read-only tests."""
    store = open_seeded_store(request.param, tmp_path_factory.mktemp("views"), max_returned_rows=50)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(scope="module")
def app(seeded_store: Store) -> Iterator[Flask]:
    """The web app over the seeded store."""
    flask_app = create_app(store=seeded_store)
    try:
        yield flask_app
    finally:
        close_app(flask_app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client with its own cookies."""
    return app.test_client()


def csrf_token_of(client: FlaskClient) -> str:
    """The client's CSRF token (a page is fetched first, which creates it)."""
    client.get("/sql")
    with client.session_transaction() as session:
        token: str = session["csrf_token"]
    return token
