"""An app over an empty DuckDB file, for tests of the UI's layout, headers and error pages."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from flask import Flask

from llmobs_store.config import Settings
from llmobs_store.store import Store
from webui import close_app, create_app


def empty_app(folder: Path, **settings: object) -> Generator[Flask, None, None]:
    """Yield the app over a new DuckDB file in ``folder``, with ``settings`` changed."""
    config = Settings(database_url=f"duckdb:///{folder / 'ui.duckdb'}", server_threads=2)
    with Store.open(settings=config.replace(**settings)) as store:
        app = create_app(store=store)
        try:
            yield app
        finally:
            close_app(app)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    yield from empty_app(tmp_path)
