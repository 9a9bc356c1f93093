"""RFC 4180 CSV as a stream of UTF-8 chunks, with formula cells neutralised and a byte cap."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from llmobs_store.errors import LlmobsError

# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK_BYTES = 64 * 1024
# Written as they are, without a call per cell: the hot path of a million-row export.
_PLAIN_TYPES = frozenset({int, float, bool, Decimal})


class CsvLimitExceeded(LlmobsError):
    """The CSV would pass ``max_bytes``; what was yielded so far is all there is."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the CSV export passed its limit of {max_bytes:,} bytes")
        self.max_bytes = max_bytes


def neutralise(value: str) -> str:
    """``value`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def csv_cell(value: Any) -> Any:
    """A value as the csv module should write it: strings neutralised, numbers untouched."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise(str(value))


def stream_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    max_bytes: int | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[bytes]:
    """``header`` and ``rows`` as CSV (``\\r\\n`` line ends), in chunks of ~``chunk_bytes``.

    Memory stays at one chunk whatever the number of rows. Raises ``CsvLimitExceeded`` before
    yielding a chunk that would take the total past ``max_bytes``.

    >>> b"".join(stream_csv(["user", "n"], [["=1+1", -2]]))
    b"user,n\\r\\n'=1+1,-2\\r\\n"
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    num_bytes = 0

    def take() -> bytes:
        nonlocal num_bytes
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        num_bytes += len(data)
        if max_bytes is not None and num_bytes > max_bytes:
            raise CsvLimitExceeded(max_bytes)
        return data

    writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        writer.writerow([v if type(v) in _PLAIN_TYPES else csv_cell(v) for v in row])
        if buffer.tell() >= chunk_bytes:
            yield take()
    if buffer.tell():
        yield take()
