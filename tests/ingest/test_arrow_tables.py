"""Records to Arrow: JSON text of attribute values, and the columns' Arrow types."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from llmobs_store.ingest.arrow_tables import dump_json, to_arrow, write_schema
from tests.factories import make_log, make_span


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": 1, "b": [1.5, "x", True, None]}, {"a": 1, "b": [1.5, "x", True, None]}),
        ({"nested": {"k": "ü ☃"}}, {"nested": {"k": "ü ☃"}}),
        ({"nan": float("nan"), "inf": [float("-inf")]}, {"nan": None, "inf": [None]}),
        ({1: "int key"}, {"1": "int key"}),
        ({"big": 2**70, "nan": float("nan")}, {"big": 2**70, "nan": None}),
        ({"when": datetime(2026, 1, 1, tzinfo=UTC)}, {"when": "2026-01-01T00:00:00+00:00"}),
        ({"blob": b"\x00\x01"}, {"blob": "b'\\x00\\x01'"}),
    ],
)
def test_dump_json_is_valid_json(value: object, expected: object) -> None:
    assert json.loads(dump_json(value)) == expected


def test_span_columns_follow_the_table() -> None:
    table = to_arrow("spans", [make_span(attributes={"k": "v"}, input_tokens=3)])
    assert table.schema == write_schema("spans")
    assert table.column("start_time").type == pa.timestamp("us", tz="UTC")
    assert table.column("input_tokens").to_pylist() == [3]
    assert json.loads(table.column("attributes")[0].as_py()) == {"k": "v"}
    assert table.column("duration_ms").to_pylist() == [100.0]


def test_database_filled_ids_are_left_out() -> None:
    assert "id" not in write_schema("logs").names
    assert to_arrow("logs", [make_log()]).num_rows == 1
