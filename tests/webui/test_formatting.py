"""The template filters show numbers, money, ratios and cells the same way everywhere."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from webui.formatting import format_cell, format_number, format_percent, format_usd


def test_numbers_and_money() -> None:
    assert format_number(1234567) == "1,234,567"
    assert format_number(Decimal("12")) == "12"
    assert format_number(3.14159) == "3.14"
    assert format_number(None) == "–"
    assert format_usd(1234.5) == "$1,234.50"
    assert format_usd(0.0042) == "$0.0042"
    assert format_usd(0.00000016) == "<$0.0001"
    assert format_usd(0) == "$0.00"
    assert format_usd(None) == "–"
    assert format_percent(0.9343) == "93.4 %"


def test_cells() -> None:
    assert format_cell({"a": [1, "é"]}) == '{"a": [1, "é"]}'
    assert format_cell(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02 03:04:05+00:00"
    assert format_cell(True) == "true"
    assert format_cell(Decimal("2.50")) == "2.5"
    assert format_cell("<b>") == "<b>"  # escaped by Jinja's autoescape, not here
