"""Saved queries: saved by name (a second save replaces), listed, looked up, deleted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from llmobs_store.errors import InvalidSql, NotFound
from llmobs_store.sql.saved_queries import (
    delete_saved_query,
    get_saved_query,
    list_saved_queries,
    save_query,
)
from llmobs_store.store import Store

T1 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_save_replace_list_and_delete(store: Store) -> None:
    first = save_query(store, " slow calls ", "SELECT 1", "why", now=T1)
    assert (first.name, first.sql, first.description) == ("slow calls", "SELECT 1", "why")
    assert first.created_at == first.updated_at == T1
    save_query(store, "another", "SELECT 2", now=T1)
    replaced = save_query(store, "slow calls", "SELECT 3", "  ", now=T2)
    assert replaced.id == first.id
    assert (replaced.sql, replaced.description) == ("SELECT 3", None)
    assert (replaced.created_at, replaced.updated_at) == (T1, T2)
    assert [q.name for q in list_saved_queries(store)] == ["another", "slow calls"]
    assert get_saved_query(store, "another").sql == "SELECT 2"
    delete_saved_query(store, first.id)
    assert [q.name for q in list_saved_queries(store)] == ["another"]
    with pytest.raises(NotFound):
        delete_saved_query(store, first.id)
    with pytest.raises(NotFound):
        get_saved_query(store, "slow calls")


def test_only_runnable_queries_with_a_name_are_kept(store: Store) -> None:
    with pytest.raises(ValueError, match="give the query a name"):
        save_query(store, "  ", "SELECT 1")
    with pytest.raises(ValueError, match="200 characters"):
        save_query(store, "x" * 201, "SELECT 1")
    with pytest.raises(InvalidSql):
        save_query(store, "wipe", "DELETE FROM spans")
    assert list_saved_queries(store) == []
