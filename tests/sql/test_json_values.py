"""Query values made JSON-safe: numbers stay numbers, times become ISO text."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from llmobs_store.sql.json_values import json_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("40"), 40),
        (Decimal("0.25"), 0.25),
        (Decimal("NaN"), "NaN"),
        (float("inf"), "inf"),
        (datetime(2026, 1, 1, 12, tzinfo=UTC), "2026-01-01T12:00:00+00:00"),
        (date(2026, 1, 1), "2026-01-01"),
        (timedelta(milliseconds=1500), 1.5),
        (b"\x01\xff", "01ff"),
        ([Decimal("1"), {"k": Decimal("2.5")}], [1, {"k": 2.5}]),
        (None, None),
    ],
)
def test_json_value(value: object, expected: object) -> None:
    converted = json_value(value)
    assert converted == expected
    json.dumps(converted, allow_nan=False)
