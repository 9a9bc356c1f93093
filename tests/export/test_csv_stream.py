"""CSV streaming: RFC 4180 output, formula neutralisation, chunking and the byte cap."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from llmobs_store.export.csv_stream import CsvLimitExceeded, csv_cell, neutralise, stream_csv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("gpt-4o", "gpt-4o"),
        ("", ""),
    ],
)
def test_formula_cells_are_neutralised(value: str, expected: str) -> None:
    assert neutralise(value) == expected


def test_numbers_dates_and_nulls_are_written_as_values() -> None:
    assert csv_cell(-2) == -2
    assert csv_cell(-0.5) == -0.5
    assert csv_cell(Decimal("-1.5")) == Decimal("-1.5")
    assert csv_cell(None) == ""
    assert csv_cell(date(2026, 1, 2)) == "2026-01-02"
    assert csv_cell(datetime(2026, 1, 2, 3, tzinfo=UTC)) == "2026-01-02T03:00:00+00:00"


def test_output_is_rfc_4180_utf8_with_crlf() -> None:
    rows = [["a,b", 'say "hi"', "two\nlines", "naïve ✓", -3, None]]
    data = b"".join(stream_csv(["c1", "c2", "c3", "c4", "c5", "c6"], rows))
    assert data == (
        b"c1,c2,c3,c4,c5,c6\r\n" + '"a,b","say ""hi""","two\nlines",naïve ✓,-3,\r\n'.encode()
    )
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert parsed[1] == ["a,b", 'say "hi"', "two\nlines", "naïve ✓", "-3", ""]


def test_rows_come_in_chunks_of_about_the_chunk_size() -> None:
    rows = ([f"row-{i}", i] for i in range(10_000))
    chunks = list(stream_csv(["name", "n"], rows, chunk_bytes=4096))
    assert len(chunks) > 10
    assert all(len(chunk) < 4096 + 64 for chunk in chunks)
    assert b"".join(chunks).count(b"\r\n") == 10_001


def test_the_byte_cap_stops_the_stream_before_passing_it() -> None:
    rows = ([f"row-{i}", i] for i in range(10_000))
    received = 0
    with pytest.raises(CsvLimitExceeded) as raised:
        for chunk in stream_csv(["name", "n"], rows, max_bytes=20_000, chunk_bytes=4096):
            received += len(chunk)
    assert 0 < received <= 20_000
    assert raised.value.max_bytes == 20_000


def test_a_stream_under_the_cap_is_complete() -> None:
    data = b"".join(stream_csv(["n"], [[1], [2]], max_bytes=9))
    assert data == b"n\r\n1\r\n2\r\n"
