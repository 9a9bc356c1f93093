"""Aligned plain-text tables, as the commands print query results, rules and alerts."""

from __future__ import annotations

from collections.abc import Sequence


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, rule: bool = False) -> str:
    """``rows`` under ``header`` in left-aligned columns; ``rule`` adds a dashed line below it.

    >>> print(text_table(["model", "calls"], [["gpt-4o", "12"]]))
    model   calls
    gpt-4o  12
    """
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = [_line(header, widths)]
    if rule:
        lines.append("  ".join("-" * w for w in widths))
    lines += [_line(row, widths) for row in rows]
    return "\n".join(lines)


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
