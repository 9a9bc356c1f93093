"""list_logs: each filter, newest-first keyset pages with tied times, refused cursors."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from llmobs_store.analytics.logs import LogFilters, list_logs, log_list_statement
from llmobs_store.analytics.statement import render_sql
from llmobs_store.errors import InvalidCursor
from llmobs_store.ingest.records import LogRecord
from llmobs_store.store import Store
from tests.factories import T0, make_log

LEVELS = ["debug", "info", "warning", "error", "critical"]
TRACE = "a" * 32


def entries() -> list[LogRecord]:
    found = []
    for i in range(25):
        found.append(
            replace(
                make_log(
                    "refund 50% done" if i == 4 else f"message {i}",
                    service_name="svc-a" if i % 2 else "svc-b",
                    model="gpt-4o" if i % 3 == 0 else None,
                    trace_id=TRACE if i % 5 == 0 else None,
                    span_id="1" * 16 if i == 10 else None,
                    error_message="Rate LIMIT hit" if i == 7 else None,
                ),
                # Groups of three share a time: ties in the sort key.
                time=T0 + timedelta(seconds=i // 3),
                level=LEVELS[i % 5],
            )
        )
    return found


def messages(store: Store, filters: LogFilters) -> set[str]:
    with store.connect() as conn:
        page = list_logs(conn, filters, limit=500)
    return {row.message for row in page.rows}


def test_each_filter(store: Store) -> None:
    store.write(entries())
    every = {f"message {i}" for i in range(25) if i != 4} | {"refund 50% done"}
    assert messages(store, LogFilters()) == every

    def pick(*indexes: int) -> set[str]:
        return {"refund 50% done" if i == 4 else f"message {i}" for i in indexes}

    assert messages(store, LogFilters(min_level="error")) == pick(
        *(i for i in range(25) if i % 5 >= 3)
    )
    assert messages(store, LogFilters(service="svc-a")) == pick(*range(1, 25, 2))
    assert messages(store, LogFilters(model="gpt-4o")) == pick(*range(0, 25, 3))
    assert messages(store, LogFilters(trace_id=TRACE.upper())) == pick(0, 5, 10, 15, 20)
    assert messages(store, LogFilters(span_id="1" * 16)) == pick(10)
    assert messages(store, LogFilters(text="rate limit")) == pick(7)
    assert messages(store, LogFilters(text="0%")) == pick(4)
    assert messages(store, LogFilters(text="message 1")) == pick(1, *range(10, 20))
    assert messages(store, LogFilters(since=T0 + timedelta(seconds=7))) == pick(21, 22, 23, 24)
    assert messages(store, LogFilters(until=T0 + timedelta(seconds=1))) == pick(0, 1, 2)
    with pytest.raises(ValueError, match="level must be one of"):
        LogFilters(min_level="loud")


def test_pages_walk_every_entry_once_newest_first_and_back(store: Store) -> None:
    store.write(entries())
    with store.connect() as conn:
        everything = list_logs(conn, limit=500).rows
        assert [row.time for row in everything] == sorted(
            (row.time for row in everything), reverse=True
        )
        pages = []
        cursor = None
        while True:
            page = list_logs(conn, limit=4, cursor=cursor)
            pages.append(page)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert [row.id for page in pages for row in page.rows] == [row.id for row in everything]
        back = list_logs(conn, limit=4, cursor=pages[-1].prev_cursor)
        assert back.rows == pages[-2].rows
        with pytest.raises(InvalidCursor):
            list_logs(conn, cursor=pages[0].next_cursor + "x")  # type: ignore[operator]


def test_the_statement_renders_as_sql(store: Store) -> None:
    store.write(entries())
    with store.connect() as conn:
        sql = render_sql(
            log_list_statement(LogFilters(min_level="critical"), limit=3), conn.dialect
        )
        cursor = conn.connection.cursor()
        cursor.execute(sql)
        rows = cursor.fetchall()
    assert "'critical'" in sql
    # One row more than the limit tells whether another page exists.
    assert [row[3] for row in rows] == ["message 24", "message 19", "message 14", "message 9"]
