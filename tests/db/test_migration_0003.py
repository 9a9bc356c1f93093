"""Migration 0003 adds ``daily_rollups`` beside existing data; going down removes only it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from llmobs_store.db import migrate
from llmobs_store.db.engine import create_store_engine

INSERT = text(
    "INSERT INTO daily_rollups VALUES (:day_start, :service_name, :span_type, :provider, :model, "
    "3, 1, 10, 20, 30, 0, 0, 0, 0.5, 3, 0, 300.0, 200.0, 100.0, 190.0, 198.0, 1, :at)"
)
ROW = {
    "day_start": datetime(2026, 1, 1, tzinfo=UTC),
    "service_name": "chat",
    "span_type": "llm",
    "provider": "openai",
    "model": "gpt-4o-mini",
    "at": datetime(2026, 2, 1, tzinfo=UTC),
}


def test_upgrade_from_0002_and_back(database_url: str) -> None:
    engine = create_store_engine(database_url, pool_size=1)
    try:
        migrate.upgrade(engine, "0002")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO open_spans VALUES ('a', 'b', NULL, 'n', 'internal', "
                    "CAST('2026-01-01 00:00:00+00' AS TIMESTAMPTZ), NULL, '{}')"
                )
            )
        migrate.upgrade(engine, "0003")
        assert "daily_rollups" in inspect(engine).get_table_names()
        with engine.begin() as conn:
            conn.execute(INSERT, ROW)
            stored = conn.execute(
                text("SELECT day_start, cost_usd, rolled_up_at FROM daily_rollups")
            )
            assert stored.one() == (ROW["day_start"], 0.5, ROW["at"])
        # (day, group) is the primary key that prune merges on.
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(INSERT, ROW)
        migrate.downgrade(engine, "0002")
        assert "daily_rollups" not in inspect(engine).get_table_names()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM open_spans")).scalar_one() == 1
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision() == "0003"
    finally:
        engine.dispose()
