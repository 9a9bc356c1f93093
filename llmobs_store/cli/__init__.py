"""The ``llmobs`` command line: a thin adapter that parses flags and calls the library."""

from __future__ import annotations

import click

from llmobs_store.cli.alerts import alerts
from llmobs_store.cli.db import db
from llmobs_store.cli.export import export
from llmobs_store.cli.options import LlmobsGroup
from llmobs_store.cli.prices import prices
from llmobs_store.cli.prune import prune_command
from llmobs_store.cli.seed import seed
from llmobs_store.cli.serve import demo, serve
from llmobs_store.cli.sql import sql


@click.group(cls=LlmobsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="llmobs-store")
def main() -> None:
    """llmobs: LLM traces, metrics and logs in one DuckDB file (or PostgreSQL), analysed in SQL.

    \b
    Example:
      llmobs demo                       # demo data in demo.duckdb, served on :4318
      llmobs serve --db duckdb:///llmobs.duckdb
    """


main.add_command(db)
main.add_command(seed)
main.add_command(sql)
main.add_command(serve)
main.add_command(demo)
main.add_command(prices)
main.add_command(export)
main.add_command(prune_command)
main.add_command(alerts)

__all__ = ["main"]
