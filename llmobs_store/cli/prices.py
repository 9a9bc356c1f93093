"""``llmobs prices``: list and add model price overrides, and re-price stored spans."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from sqlalchemy import select

from llmobs_store.cli.options import LlmobsGroup, db_option
from llmobs_store.cli.sql import format_table
from llmobs_store.ingest.price_overrides import (
    EVERY_SPAN,
    MODEL_PRICES,
    NewPrice,
    add_price_override,
)
from llmobs_store.ingest.repricing import recompute_costs
from llmobs_store.sql.runner import QueryResult
from llmobs_store.store import Store

_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]
_USD_PER_MTOK = click.FloatRange(min=0)


@click.group(cls=LlmobsGroup)
def prices() -> None:
    """Model price overrides (USD per million tokens) and re-pricing of stored spans.

    An override wins over the bundled genai-prices data for spans of its model starting
    at or after its --from time.

    \b
    Example:
      llmobs prices set acme-llm-7b --input 0.40 --output 1.20
      llmobs prices recompute --since 2026-01-01
    """


@prices.command("list")
@db_option
def list_prices(database_url: str) -> None:
    """Print every price override, oldest first.

    \b
    Example:
      llmobs prices list --db duckdb:///llmobs.duckdb
    """
    t = MODEL_PRICES.c
    with Store.open(database_url) as store, store.connect() as conn:
        rows = conn.execute(
            select(
                t.id,
                t.model,
                t.provider,
                t.effective_from,
                t.input_usd_per_mtok,
                t.output_usd_per_mtok,
                t.cache_read_usd_per_mtok,
                t.cache_write_usd_per_mtok,
                t.note,
            ).order_by(t.effective_from, t.id)
        ).all()
    if not rows:
        click.echo("no price overrides (add one with `llmobs prices set`)")
        return
    columns = ["id", "model", "provider", "from", "input", "output", "cache_read", "cache_write"]
    cells = [
        (
            str(row.id),
            row.model,
            row.provider or "any",
            _moment(row.effective_from),
            _usd(row.input_usd_per_mtok),
            _usd(row.output_usd_per_mtok),
            _usd(row.cache_read_usd_per_mtok),
            _usd(row.cache_write_usd_per_mtok),
            row.note or "",
        )
        for row in rows
    ]
    click.echo("USD per million tokens; an empty cache price means the input price.")
    click.echo(format_table(QueryResult([*columns, "note"], list(cells), False, 0.0)))


@prices.command("set")
@click.argument("model")
@click.option(
    "--input", "input_usd", type=_USD_PER_MTOK, required=True, metavar="USD", help="Uncached input."
)
@click.option("--output", "output_usd", type=_USD_PER_MTOK, required=True, metavar="USD")
@click.option("--cache-read", type=_USD_PER_MTOK, metavar="USD", help="Default: the input price.")
@click.option("--cache-write", type=_USD_PER_MTOK, metavar="USD", help="Default: the input price.")
@click.option("--provider", help="Only for spans of this provider (default: any).")
@click.option(
    "--from",
    "effective_from",
    type=click.DateTime(_DATE_FORMATS),
    metavar="DATE",
    help="First span start it applies to, UTC: 2026-02-01 or 2026-02-01T09:30:00 "
    "(default: every span).",
)
@click.option("--note", help="Why the override exists.")
@db_option
def set_price(
    model: str,
    input_usd: float,
    output_usd: float,
    cache_read: float | None,
    cache_write: float | None,
    provider: str | None,
    effective_from: datetime | None,
    note: str | None,
    database_url: str,
) -> None:
    """Add a price override for MODEL (as stored in spans.model), in USD per million tokens.

    Spans already stored keep their cost until `llmobs prices recompute` runs.

    \b
    Example:
      llmobs prices set acme-llm-7b --input 0.40 --output 1.20
      llmobs prices set gpt-4o-mini --provider openai --input 0.12 --output 0.48 \\
          --from 2026-02-01 --note "negotiated rate"
    """
    start = EVERY_SPAN if effective_from is None else effective_from.replace(tzinfo=UTC)
    price = NewPrice(model, input_usd, output_usd, cache_read, cache_write, provider, start, note)
    with Store.open(database_url) as store:
        try:
            override_id = add_price_override(store, price)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
    scope = f" ({provider} only)" if provider else ""
    when = "every span" if start == EVERY_SPAN else f"spans from {_moment(start)}"
    click.echo(
        f"added override {override_id}: {model}{scope} at ${_usd(input_usd)} input / "
        f"${_usd(output_usd)} output per million tokens, for {when}"
    )
    click.echo("run `llmobs prices recompute` to re-price spans already stored")


@prices.command()
@click.option(
    "--since",
    type=click.DateTime(_DATE_FORMATS),
    metavar="DATE",
    help="Only spans starting at or after this time, UTC: 2026-02-01 or 2026-02-01T09:30:00.",
)
@click.option(
    "--batch-size",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Spans per transaction.",
)
@db_option
def recompute(since: datetime | None, batch_size: int, database_url: str) -> None:
    """Price stored spans again with the current overrides and price data.

    Updates the spans whose cost changed and the cost and unpriced count of their traces.
    Running it twice changes nothing the second time.

    \b
    Example:
      llmobs prices recompute --since 2026-01-01 --db duckdb:///llmobs.duckdb
    """
    start = None if since is None else since.replace(tzinfo=UTC)
    with Store.open(database_url) as store:
        result = recompute_costs(store, since=start, batch_size=batch_size)
    noun = "span" if result.num_checked == 1 else "spans"
    click.echo(
        f"re-priced {result.num_changed} of {result.num_checked} {noun}; "
        f"cost changed by {result.cost_delta_usd:+.6f} USD"
    )


def _usd(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
