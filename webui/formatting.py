"""Jinja filters that show numbers, money, times and query cells the same way on every screen."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask

from llmobs_store.sql.json_values import json_value


def format_number(value: Any, digits: int = 2) -> str:
    """``12,345`` for integers, ``12.35`` (``digits`` decimals) for others; ``–`` for None."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) or (isinstance(value, Decimal) and value == value.to_integral()):
        return f"{int(value):,}"
    number = float(value)
    if not math.isfinite(number):
        return str(number)
    return f"{number:,.{digits}f}"


def format_usd(value: Any) -> str:
    """Dollars with cents, four decimals below a cent: ``$1,234.56``, ``$0.0042``, ``<$0.0001``."""
    if value is None:
        return "–"
    number = float(value)
    if 0 < abs(number) < 0.0001:
        return "<$0.0001" if number > 0 else "-<$0.0001"
    if 0 < abs(number) < 0.01:
        return f"${number:.4f}"
    return f"${number:,.2f}"


def format_percent(value: Any, digits: int = 1) -> str:
    """A ratio in [0, 1] as a percentage: ``0.934`` -> ``93.4 %``."""
    if value is None:
        return "–"
    return f"{float(value) * 100:.{digits}f} %"


def format_moment(value: Any) -> str:
    """A time as ``2026-02-01 09:30:12`` (UTC, as the whole UI shows times)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return "–" if value is None else str(value)


def format_cell(value: Any) -> str:
    """A query result cell as text: JSON for structures, ISO for times, numbers untouched."""
    if isinstance(value, dict | list | tuple):
        return json.dumps(json_value(value), ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    converted = json_value(value)
    return str(converted).lower() if isinstance(converted, bool) else str(converted)


def install_formatting(app: Flask) -> None:
    """Register the filters: ``number``, ``usd``, ``percent``, ``moment``, ``cell``."""
    app.jinja_env.filters.update(
        number=format_number,
        usd=format_usd,
        percent=format_percent,
        moment=format_moment,
        cell=format_cell,
    )
