"""Parquet export: every row and value comes back through pyarrow and DuckDB."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text

from llmobs_store.db.models import Base
from llmobs_store.errors import NotFound
from llmobs_store.export.parquet import arrow_schema, export_parquet, time_column
from llmobs_store.store import Store
from seed_data import load_demo
from tests.conftest import count_rows

END = datetime(2026, 1, 3, tzinfo=UTC)


def test_spans_come_back_whole(store: Store, tmp_path: Path) -> None:
    load_demo(store, num_traces=60, days=1, seed=3, end=END)
    path = tmp_path / "spans.parquet"
    num_rows = export_parquet(store, "spans", path, batch_rows=100)
    table = pq.read_table(path)
    assert num_rows == table.num_rows == count_rows(store, "spans")
    assert table.schema == arrow_schema(Base.metadata.tables["spans"])
    with store.connect() as conn:
        cost, first = conn.execute(text("SELECT sum(cost_usd), min(start_time) FROM spans")).one()
        trace_ids = {row[0] for row in conn.execute(text("SELECT trace_id FROM spans"))}
    assert sum(v for v in table.column("cost_usd").to_pylist() if v) == pytest.approx(cost)
    assert min(table.column("start_time").to_pylist()) == first
    assert set(table.column("trace_id").to_pylist()) == trace_ids
    attributes = [json.loads(v) for v in table.column("attributes").to_pylist()]
    assert all(isinstance(a, dict) for a in attributes)


def test_a_time_range_selects_on_the_time_column(store: Store, tmp_path: Path) -> None:
    load_demo(store, num_traces=60, days=1, seed=3, end=END)
    since, until = END - timedelta(hours=12), END - timedelta(hours=6)
    path = tmp_path / "logs.parquet"
    num_rows = export_parquet(store, "logs", path, since=since, until=until)
    with store.connect() as conn:
        expected = conn.execute(
            text("SELECT count(*) FROM logs WHERE time >= :a AND time < :b"),
            {"a": since, "b": until},
        ).scalar_one()
    assert num_rows == expected > 0
    times = pq.read_table(path).column("time").to_pylist()
    assert all(since <= t < until for t in times)


def test_duckdb_reads_the_file(store: Store, tmp_path: Path) -> None:
    load_demo(store, num_traces=20, days=1, seed=3, end=END)
    path = tmp_path / "traces.parquet"
    num_rows = export_parquet(store, "traces", path)
    # A plain DuckDB connection: the store's own has file access switched off.
    with duckdb.connect() as reader:
        got = reader.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()
    assert got == (num_rows,)


def test_an_empty_table_gives_a_file_with_its_schema(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    assert export_parquet(store, "alert_events", path) == 0
    assert pq.read_table(path).schema.names == list(Base.metadata.tables["alert_events"].c.keys())


def test_every_table_has_a_schema_and_a_time_column() -> None:
    for name, table in Base.metadata.tables.items():
        assert len(arrow_schema(table)) == len(table.columns)
        assert time_column(name)
    assert time_column("spans") == "start_time"
    assert time_column("logs") == "time"


def test_an_unknown_table_is_not_found(store: Store, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        export_parquet(store, "nope", tmp_path / "x.parquet")
