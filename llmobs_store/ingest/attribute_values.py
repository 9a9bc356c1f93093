"""Typed readings of attribute values: non-empty text, token counts, non-negative numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any


def scalar_text(value: Any) -> str | None:
    """Non-empty text of a scalar attribute, as every text column reads it (ids sent as ints
    become strings)."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def first_str(a: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    """The text of the first of ``keys`` whose value has some."""
    for key in keys:
        value = a.get(key)
        if value is not None and (text := scalar_text(value)) is not None:
            return text
    return None


def _count(value: Any) -> int | None:
    """A token count from an int, a whole float or a numeric string; anything else is None."""
    if type(value) is int:
        return value if value >= 0 else None
    if isinstance(value, str):
        try:
            value = float(value) if "." in value or "e" in value.lower() else int(value)
        except ValueError:
            return None
        if type(value) is int:
            return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    return None


def first_count(a: Mapping[str, Any], keys: tuple[str, ...]) -> int | None:
    """The token count of the first of ``keys`` whose value is one."""
    for key in keys:
        value = a.get(key)
        if value is not None and (count := _count(value)) is not None:
            return count
    return None


def _number(value: Any) -> float | None:
    """A finite non-negative float from a number or numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        try:
            number = float(value)
        except ValueError:
            return None
        if math.isfinite(number) and number >= 0:
            return number
    return None


def first_number(a: Mapping[str, Any], keys: Sequence[str]) -> float | None:
    """The number of the first of ``keys`` whose value is a finite non-negative one."""
    for key in keys:
        value = a.get(key)
        if value is not None and (number := _number(value)) is not None:
            return number
    return None
