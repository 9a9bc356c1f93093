"""The Alembic chain on DuckDB and PostgreSQL: upgrade, downgrade, and agreement with the models."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, inspect

from llmobs_store.db import migrate
from llmobs_store.db.engine import create_store_engine
from llmobs_store.db.models import Base
from llmobs_store.store import Store
from tests.conftest import POSTGRES_URL, reset_postgres

LLMOBS_TABLES = set(Base.metadata.tables)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    created = create_store_engine(database_url, pool_size=2)
    yield created
    created.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_creates_every_table(engine: Engine) -> None:
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert _tables(engine) == LLMOBS_TABLES


def test_downgrade_to_base_and_up_again(engine: Engine) -> None:
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    assert _tables(engine) == set()
    migrate.upgrade(engine)
    assert _tables(engine) == LLMOBS_TABLES
    assert migrate.schema_drift(engine, Base.metadata) == []


def test_models_and_migrations_agree(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.schema_drift(engine, Base.metadata) == []


def test_drift_check_sees_a_model_change(engine: Engine) -> None:
    """The agreement test above can fail: a column the migrations lack is reported."""
    migrate.upgrade(engine)
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    Table("spans", changed, Column("extra_column", Integer), extend_existing=True)
    drift = migrate.schema_drift(engine, changed)
    assert [(d[0], d[3].name) for d in drift if d[0] == "add_column"] == [
        ("add_column", "extra_column")
    ]


def test_indexes_per_dialect(engine: Engine) -> None:
    migrate.upgrade(engine)
    names = {ix["name"] for ix in inspect(engine).get_indexes("spans")}
    if engine.dialect.name == "duckdb":
        # ART index for trace lookups; uniqueness is kept by the single writer.
        assert names == {"ix_spans_trace_id"}
    else:
        assert names == {"ux_spans_trace_id_span_id"}


def test_open_brings_an_older_database_to_head(database_url: str) -> None:
    engine = create_store_engine(database_url, pool_size=1)
    migrate.upgrade(engine, "0001")
    assert "open_spans" not in _tables(engine)
    engine.dispose()
    with Store.open(database_url) as store:
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        assert _tables(store.engine) == LLMOBS_TABLES


@pytest.mark.postgres
def test_processes_starting_together_migrate_once() -> None:
    """Several collectors opening one new PostgreSQL database at once all end at head."""
    reset_postgres()

    def open_and_close(_: int) -> str | None:
        with Store.open(POSTGRES_URL) as store:
            return migrate.current_revision(store.engine)

    with ThreadPoolExecutor(4) as pool:
        revisions = list(pool.map(open_and_close, range(4)))
    assert revisions == [migrate.head_revision()] * 4
