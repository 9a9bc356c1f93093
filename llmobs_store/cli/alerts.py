"""``llmobs alerts``: list rules and active alerts, check once, backtest a rule, load a file."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from llmobs_store.alerts.active import list_active_alerts
from llmobs_store.alerts.backtest import backtest
from llmobs_store.alerts.defaults import install_default_rules
from llmobs_store.alerts.delivery import NotificationDispatcher
from llmobs_store.alerts.evaluate import format_number
from llmobs_store.alerts.evaluator import Evaluator
from llmobs_store.alerts.notifiers import ensure_log_output
from llmobs_store.alerts.rules import (
    Rule,
    format_duration,
    get_rule,
    list_rules,
    load_rules_file,
    parse_duration,
    save_rule,
)
from llmobs_store.cli.alert_output import (
    echo_active,
    echo_transitions,
    format_labels,
    format_time,
    rule_condition,
)
from llmobs_store.cli.options import db_option
from llmobs_store.cli.text_table import text_table
from llmobs_store.errors import DatabaseLocked, LlmobsError
from llmobs_store.store import Store


@click.group()
def alerts() -> None:
    """Alert rules, their evaluation, history and backtests."""


@contextmanager
def _open(database_url: str) -> Iterator[Store]:
    try:
        store = Store.open(database_url)
    except DatabaseLocked as exc:
        raise click.ClickException(
            f"the database {exc.path} is held by a running `llmobs serve`, which evaluates "
            "the rules itself: see its active alerts with `llmobs alerts list --url "
            "http://HOST:PORT`, or stop it to run this command"
        ) from exc
    with store:
        yield store


@alerts.command("list")
@click.option(
    "--url",
    "server_url",
    metavar="http://HOST:PORT",
    help="Show the active alerts of a running `llmobs serve` (GET /v1/alerts) instead of --db.",
)
@click.option("--api-key", envvar="LLMOBS_API_KEY", help="Key for --url when the server has keys.")
@db_option
def list_command(server_url: str | None, api_key: str | None, database_url: str) -> None:
    """List the alert rules and the alerts firing now.

    \b
    Example:
      llmobs alerts list --db duckdb:///llmobs.duckdb
      llmobs alerts list --url http://127.0.0.1:4318
    """
    if server_url:
        echo_active(_fetch_active(server_url, api_key))
        return
    with _open(database_url) as store, store.connect() as conn:
        rules = list_rules(conn)
        active = [
            {
                "name": a.name,
                "severity": a.severity,
                "labels": a.labels,
                "value": a.value,
                "threshold": a.threshold,
                "firing_since": a.firing_since.isoformat(),
            }
            for a in list_active_alerts(conn)
        ]
    rows = [
        (
            r.name,
            "yes" if r.enabled else "no",
            r.metric,
            format_duration(r.window_s),
            rule_condition(r),
            ",".join(r.group_by) or "-",
            ",".join(str(n.get("type")) for n in r.notifiers) or "-",
        )
        for r in rules
    ]
    header = ("rule", "enabled", "metric", "window", "condition", "group by", "notify")
    click.echo(text_table(header, rows))
    click.echo()
    echo_active(active)


@alerts.command("check")
@click.option("--at", "at", metavar="TIME", help="Evaluate as of this UTC time (default: now).")
@click.option("--rule", "rule_names", multiple=True, metavar="NAME", help="Only these rules.")
@click.option("--no-notify", is_flag=True, help="Record transitions but send nothing.")
@db_option
def check(at: str | None, rule_names: tuple[str, ...], no_notify: bool, database_url: str) -> None:
    """Evaluate the enabled rules once, record and notify their transitions, and print them.

    States continue from the stored history, so a rule already firing is not fired again.

    \b
    Example:
      llmobs alerts check --db duckdb:///llmobs.duckdb
      llmobs alerts check --rule high_latency --at 2026-03-02T12:00:00
    """
    moment = _parse_time(at, "--at") if at else datetime.now(UTC)
    with _open(database_url) as store:
        settings = store.settings
        if settings.alert_install_defaults:
            install_default_rules(store)
        rules: list[Rule] | None = None
        if rule_names:
            with store.connect() as conn:
                rules = [get_rule(conn, name) for name in rule_names]
        dispatcher = None
        if not no_notify:
            ensure_log_output()
            dispatcher = NotificationDispatcher(
                store.engine,
                max_attempts=settings.alert_notify_max_attempts,
                backoff_s=settings.alert_notify_backoff_s,
            )
            dispatcher.start()
        evaluator = Evaluator(
            store, dispatcher=dispatcher, notify_timeout_s=settings.alert_notify_timeout_s
        )
        try:
            result = evaluator.evaluate(moment, rules=rules)
            if dispatcher is not None:
                dispatcher.wait_idle()
        finally:
            if dispatcher is not None:
                dispatcher.stop()
    echo_transitions(result.transitions)
    for name, error in sorted(result.errors.items()):
        click.echo(f"error: rule {name}: {error}", err=True)
    if result.errors:
        raise SystemExit(1)


@alerts.command("backtest")
@click.argument("rule_name", metavar="RULE")
@click.option("--since", required=True, metavar="AGE|TIME", help="30d, 12h, or a UTC time.")
@click.option("--until", metavar="TIME", help="End of the replay, UTC (default: now).")
@click.option("--step", default="5m", show_default=True, help="Time between evaluations.")
@click.option(
    "--file",
    "rules_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Take RULE from this YAML/JSON file instead of the database (try before saving).",
)
@click.option("--transitions", "show_transitions", is_flag=True, help="Print every transition.")
@db_option
def backtest_command(
    rule_name: str,
    since: str,
    until: str | None,
    step: str,
    rules_file: str | None,
    show_transitions: bool,
    database_url: str,
) -> None:
    """Replay RULE over history and report when it would have fired (nothing is stored or sent).

    \b
    Example:
      llmobs alerts backtest high_latency --since 30d
      llmobs alerts backtest slow_gpt4o --file rules.yaml --since 7d --step 1m
    """
    end = _parse_time(until, "--until") if until else datetime.now(UTC)
    start = _parse_since(since, end)
    step_s = _duration(step, "--step")
    with _open(database_url) as store:
        if rules_file:
            found = [r for r in load_rules_file(rules_file) if r.name == rule_name]
            if not found:
                raise click.ClickException(f"{rules_file} has no rule named {rule_name!r}")
            rule = found[0]
        else:
            with store.connect() as conn:
                rule = get_rule(conn, rule_name)
        try:
            result = backtest(store, rule, since=start, until=end, step_s=step_s)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
    click.echo(
        f"{rule.name}: {result.num_steps} evaluations every {format_duration(step_s)} from "
        f"{format_time(result.since)} to {format_time(result.until)}; "
        f"fired {len(result.episodes)} time{'s' if len(result.episodes) != 1 else ''}"
    )
    if result.episodes:
        rows = [
            (
                format_labels(e.labels),
                e.severity,
                format_time(e.fired_at),
                format_time(e.resolved_at) if e.resolved_at else "still firing",
                format_number(e.peak_value),
            )
            for e in result.episodes
        ]
        click.echo(text_table(("group", "severity", "fired", "resolved", "peak value"), rows))
    if show_transitions:
        echo_transitions(result.transitions)


@alerts.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@db_option
def load(path: str, database_url: str) -> None:
    """Add or replace (by name) the rules of a YAML or JSON file.

    \b
    Example:
      llmobs alerts load rules.yaml --db duckdb:///llmobs.duckdb
    """
    rules = load_rules_file(path)
    now = datetime.now(UTC)
    with _open(database_url) as store, store.engine.begin() as conn:
        known = {r.name for r in list_rules(conn)}
        for rule in rules:
            save_rule(conn, rule, now=now)
    added = sum(r.name not in known for r in rules)
    click.echo(
        f"loaded {len(rules)} rules from {path}: {added} added, {len(rules) - added} replaced"
    )


def _fetch_active(server_url: str, api_key: str | None) -> list[dict[str, Any]]:
    if not server_url.startswith(("http://", "https://")):
        raise click.BadParameter("use http://HOST:PORT or https://...", param_hint="--url")
    headers = {"Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(server_url.rstrip("/") + "/v1/alerts", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise click.ClickException(f"the server answered HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise click.ClickException(f"could not reach {server_url}: {exc}") from exc
    found: list[dict[str, Any]] = answer.get("alerts", [])
    return found


def _parse_time(text: str, hint: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(
            f"{text!r} is not a time like 2026-03-02T12:00", param_hint=hint
        ) from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _parse_since(text: str, end: datetime) -> datetime:
    try:
        return end - timedelta(seconds=parse_duration(text))
    except LlmobsError:
        return _parse_time(text, "--since")


def _duration(text: str, hint: str) -> int:
    try:
        return parse_duration(text)
    except LlmobsError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from exc
