"""``llmobs export``: the CSV cost report and Parquet copies of tables, written atomically."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import click

from llmobs_store.cli.options import LlmobsGroup, db_option
from llmobs_store.db.models import Base
from llmobs_store.export import export_parquet, parse_group_by, stream_cost_csv
from llmobs_store.store import Store

_DATE = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"])
_since_option = click.option("--since", type=_DATE, help="First moment included, UTC.")
_until_option = click.option("--until", type=_DATE, help="First moment excluded, UTC.")


@click.group(cls=LlmobsGroup)
def export() -> None:
    """Export the cost report as CSV, or any table as Parquet.

    \b
    Example:
      llmobs export costs --group-by model,day --since 2026-01-01 -o costs.csv
      llmobs export parquet spans --since 2026-01-01 -o spans.parquet
    """


@export.command()
@click.option(
    "--group-by",
    default="model,day",
    show_default=True,
    help="Comma-separated: day|week, model, provider, user, session, service, operation, "
    "or any metadata key such as tenant.",
)
@_since_option
@_until_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="CSV file.")
@db_option
def costs(
    group_by: str,
    since: datetime | None,
    until: datetime | None,
    output: Path | None,
    database_url: str,
) -> None:
    """Write the cost report of LLM spans as CSV (to stdout without -o).

    One row per group: requests, errors, tokens by kind, cost_usd (priced spans), unpriced
    spans and price_coverage. Times are UTC; the range is [--since, --until).

    \b
    Example:
      llmobs export costs --group-by model,day,tenant --since 2026-01-01 -o costs.csv
      llmobs export costs --group-by user,week --db duckdb:///demo.duckdb | head
    """
    try:
        keys = parse_group_by(group_by)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--group-by") from exc
    with Store.open(database_url, upgrade=False) as store:
        chunks = stream_cost_csv(store, keys, _utc(since), _utc(until))
        if output is None:
            stdout = sys.stdout.buffer
            for chunk in chunks:
                stdout.write(chunk)
            stdout.flush()
            return
        with atomic_file(output) as file:
            for chunk in chunks:
                file.write(chunk)
    click.echo(f"wrote {output}", err=True)


@export.command()
@click.argument("table", type=click.Choice(sorted(Base.metadata.tables)))
@_since_option
@_until_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@db_option
def parquet(
    table: str,
    since: datetime | None,
    until: datetime | None,
    output: Path,
    database_url: str,
) -> None:
    """Write the rows of TABLE as a Parquet file (time range on its time column).

    The range applies to the table's first timestamp column (start_time for spans and
    traces, time for logs and samples). DuckDB, pandas and Spark read the file.

    \b
    Example:
      llmobs export parquet spans --since 2026-01-01 --until 2026-02-01 -o spans.parquet
      duckdb -c "SELECT model, count(*) FROM 'spans.parquet' GROUP BY model"
    """
    with Store.open(database_url, upgrade=False) as store, atomic_file(output) as file:
        num_rows = export_parquet(store, table, file, since=_utc(since), until=_utc(until))
    click.echo(f"wrote {num_rows} rows to {output}", err=True)


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A temporary file beside ``path``, renamed to it on success and removed on failure."""
    target = path.resolve()
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _utc(moment: datetime | None) -> datetime | None:
    # Dates on the command line are UTC, like every time llmobs stores.
    return None if moment is None else moment.replace(tzinfo=UTC)
