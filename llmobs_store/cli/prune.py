"""``llmobs prune``: delete telemetry older than an age, or only its captured prompts."""

from __future__ import annotations

import click

from llmobs_store.cli.options import db_option
from llmobs_store.retention import parse_age, prune
from llmobs_store.store import Store


@click.command("prune")
@click.option("--older-than", "age", required=True, metavar="AGE", help="30d, 12h, 90m or 2w.")
@click.option(
    "--payloads-only",
    is_flag=True,
    help="Keep the rows; only empty the captured prompts and answers of older spans.",
)
@click.option(
    "--keep-rollups",
    is_flag=True,
    help="First fold the spans into daily_rollups (per day, service, span type, provider, "
    "model); whole UTC days only.",
)
@db_option
def prune_command(age: str, payloads_only: bool, keep_rollups: bool, database_url: str) -> None:
    """Delete traces, logs, request samples and metric points older than AGE, in batches.

    A trace is deleted once all of it is older. Alert history, rules and prices stay.
    With --keep-rollups the spans' counts, tokens, cost and latency percentiles are kept in
    daily_rollups, and spans are pruned up to the UTC midnight before the cutoff.

    \b
    Example:
      llmobs prune --older-than 30d --db duckdb:///llmobs.duckdb
      llmobs prune --older-than 90d --keep-rollups
      llmobs prune --older-than 7d --payloads-only
    """
    try:
        older_than = parse_age(age)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--older-than") from exc
    if payloads_only and keep_rollups:
        raise click.UsageError("--keep-rollups deletes spans, --payloads-only keeps them: pick one")
    with Store.open(database_url) as store:
        result = prune(
            store, older_than=older_than, payloads_only=payloads_only, keep_rollups=keep_rollups
        )
    if payloads_only:
        click.echo(f"emptied the prompts and answers of {result.num_payloads_cleared} spans")
    else:
        folded = f"folded {result.num_days_rolled_up} days into daily_rollups; "
        click.echo(
            (folded if keep_rollups else "")
            + f"deleted {result.num_traces} traces ({result.num_spans} spans), "
            f"{result.num_logs} logs, {result.num_request_samples} request samples and "
            f"{result.num_metric_points} metric points"
        )
