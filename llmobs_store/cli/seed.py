"""``llmobs seed``: write deterministic demo telemetry through the normal write path."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from llmobs_store.cli.options import db_option
from llmobs_store.store import Store
from seed_data import DEFAULT_DAYS, DEFAULT_NUM_TRACES, DemoSummary, load_demo


@click.command()
@click.option("--traces", "num_traces", default=DEFAULT_NUM_TRACES, show_default=True, type=int)
@click.option("--days", default=DEFAULT_DAYS, show_default=True, type=float, help="Time span.")
@click.option("--seed", "random_seed", default=42, show_default=True, type=int)
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
    help="End of the generated period, UTC (default: now). Fix it to reproduce data exactly.",
)
@db_option
def seed(
    num_traces: int, days: float, random_seed: int, until: datetime | None, database_url: str
) -> None:
    """Generate demo traces, logs, metric samples and alert rules into the database.

    The same --traces, --days, --seed and --until always give the same rows.

    \b
    Example:
      llmobs seed --traces 2000 --days 3 --db duckdb:///demo.duckdb
    """
    end = None if until is None else until.replace(tzinfo=UTC)
    with Store.open(database_url) as store:
        summary = seed_store(store, num_traces=num_traces, days=days, seed=random_seed, end=end)
    click.echo(
        f"wrote {summary.num_traces} traces, {summary.num_spans} spans, {summary.num_logs} logs, "
        f"{summary.num_request_samples} request samples, {summary.num_metric_points} metric "
        f"points, {summary.num_rules} alert rules and {summary.num_alert_events} alert events"
    )


def seed_store(
    store: Store, *, num_traces: int, days: float, seed: int, end: datetime | None
) -> DemoSummary:
    """Load demo data into ``store`` with a progress bar on stderr."""
    with click.progressbar(length=num_traces, label="seeding", file=sys.stderr) as bar:
        done = 0

        def advance(num_done: int) -> None:
            nonlocal done
            bar.update(num_done - done)
            done = num_done

        return load_demo(
            store,
            num_traces=num_traces,
            days=days,
            seed=seed,
            end=end,
            progress=advance,
            alert_history=True,
        )
