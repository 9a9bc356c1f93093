"""``llmobs export costs`` and ``llmobs export parquet``: exact output, atomic files."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from llmobs_store.cli import main
from llmobs_store.config import Settings
from llmobs_store.store import Store
from tests.factories import make_span

DAY = datetime(2026, 1, 1, tzinfo=UTC)
# The package exports the click group under the module's name: fetch the module itself.
export_cli = importlib.import_module("llmobs_store.cli.export")
HEADER = (
    "requests,errors,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,"
    "reasoning_tokens,cost_usd,unpriced,price_coverage"
)


@pytest.fixture
def url(database_url: str, settings: Settings) -> str:
    """A database with three LLM spans over two UTC days, closed before the CLI opens it."""
    noon_ms = 0.0  # make_span's T0 is 2026-01-01 12:00 UTC
    with Store.open(database_url, settings=settings) as store:
        store.write(
            [
                make_span(
                    span_type="llm",
                    model="gpt-4o",
                    user_id="u1",
                    input_tokens=10,
                    output_tokens=5,
                    cost_usd=0.5,
                    metadata={"tenant": "acme"},
                    offset_ms=noon_ms,
                ),
                make_span(
                    span_type="llm",
                    model="gpt-4o",
                    user_id="=cmd",
                    input_tokens=4,
                    status="error",
                    metadata={"tenant": "acme"},
                    offset_ms=noon_ms,
                ),
                make_span(
                    span_type="llm",
                    model="gpt-4o",
                    user_id="u1",
                    input_tokens=1,
                    cost_usd=0.25,
                    offset_ms=timedelta(hours=12).total_seconds() * 1000,
                ),
            ]
        )
    return database_url


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty directory for exported files (the DuckDB file lives in tmp_path)."""
    made = tmp_path / "out"
    made.mkdir()
    return made


def run(*args: str) -> Any:
    return CliRunner().invoke(main, ["export", *args])


def test_costs_to_stdout(url: str) -> None:
    result = run("costs", "--group-by", "model,day", "--db", url)
    assert result.exit_code == 0, result.output
    # CliRunner's .stdout turns \r\n into \n: compare the bytes written.
    assert (
        result.stdout_bytes
        == (
            f"model,day,{HEADER}\r\n"
            "gpt-4o,2026-01-01,2,1,14,5,0,0,0,0.5,1,0.5\r\n"
            "gpt-4o,2026-01-02,1,0,1,0,0,0,0,0.25,0,1.0\r\n"
        ).encode()
    )


def test_costs_by_tenant_and_user_neutralise_formulas(url: str) -> None:
    result = run("costs", "--group-by", "tenant,user", "--since", "2026-01-01", "--db", url)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode().split("\r\n")[1:] == [
        "acme,'=cmd,1,1,4,0,0,0,0,,1,0.0",
        "acme,u1,1,0,10,5,0,0,0,0.5,0,1.0",
        ",u1,1,0,1,0,0,0,0,0.25,0,1.0",
        "",
    ]


def test_costs_to_a_file_leaves_no_temporary_file(url: str, out_dir: Path) -> None:
    out = out_dir / "costs.csv"
    result = run("costs", "--until", "2026-01-02", "-o", str(out), "--db", url)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == (
        f"model,day,{HEADER}\r\ngpt-4o,2026-01-01,2,1,14,5,0,0,0,0.5,1,0.5\r\n".encode()
    )
    assert [p.name for p in out_dir.iterdir()] == ["costs.csv"]


def test_a_failed_export_leaves_no_half_file(
    url: str, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: Any, **kwargs: Any) -> Iterator[bytes]:
        yield b"model,day\r\n"
        raise RuntimeError("connection lost")

    monkeypatch.setattr(export_cli, "stream_cost_csv", failing)
    out = out_dir / "costs.csv"
    result = run("costs", "-o", str(out), "--db", url)
    assert result.exit_code != 0
    assert list(out_dir.iterdir()) == []


def test_a_bad_group_by_is_a_usage_error(url: str) -> None:
    result = run("costs", "--group-by", "day,week", "--db", url)
    assert result.exit_code == 2
    assert "one time dimension at most" in result.output


def test_parquet_of_a_table_and_range(url: str, out_dir: Path) -> None:
    out = out_dir / "spans.parquet"
    result = run("parquet", "spans", "--since", "2026-01-02", "-o", str(out), "--db", url)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote 1 rows to {out}\n"
    table = pq.read_table(out)
    assert table.column("cost_usd").to_pylist() == [0.25]
    assert [p.name for p in out_dir.iterdir()] == ["spans.parquet"]


def test_parquet_refuses_an_unknown_table(url: str, out_dir: Path) -> None:
    result = run("parquet", "nope", "-o", str(out_dir / "x.parquet"), "--db", url)
    assert result.exit_code == 2
    assert list(out_dir.iterdir()) == []
