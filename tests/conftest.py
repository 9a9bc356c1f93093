"""Shared fixtures: the same store tests run on a DuckDB file and on a real PostgreSQL server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from llmobs_store.config import Settings
from llmobs_store.db.engine import create_store_engine
from llmobs_store.db.models import Base
from llmobs_store.store import Store

POSTGRES_URL = os.environ.get(
    "LLMOBS_TEST_POSTGRES_URL", "postgresql+psycopg://llmobs:llmobs@127.0.0.1:5432/llmobs_test"
)
BACKENDS = ["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)]


def reset_postgres(url: str = POSTGRES_URL) -> None:
    """Empty the test database completely (schema and data), leaving a bare public schema."""
    engine = create_store_engine(url, pool_size=1)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty database: a new DuckDB file, or the PostgreSQL test database emptied."""
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'llmobs.duckdb'}"
    reset_postgres()
    return POSTGRES_URL


@pytest.fixture
def settings() -> Settings:
    """Small limits, so tests exercise batching and back-pressure with little data."""
    return Settings(writer_batch_max_rows=1_000, writer_queue_max_rows=5_000, server_threads=4)


@pytest.fixture
def store(database_url: str, settings: Settings) -> Iterator[Store]:
    """A store at the newest schema on each backend, closed after the test."""
    opened = Store.open(database_url, settings=settings)
    try:
        yield opened
    finally:
        opened.close()


def count_rows(store: Store, table: str) -> int:
    """Rows in ``table`` (one of the llmobs tables)."""
    assert table in Base.metadata.tables
    with store.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


# Fixtures of a live HTTP server, shared by the web, API and SDK tests.
from tests.live_server import keyed_server, live_server  # noqa: E402, F401
