"""How the alert commands print rules' conditions, transitions and active alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import click

from llmobs_store.alerts.evaluate import Transition, format_number
from llmobs_store.alerts.rules import Rule, format_duration
from llmobs_store.cli.text_table import text_table


def rule_condition(rule: Rule) -> str:
    """The rule's thresholds as text: ``> 0.05 warning, > 0.1 critical for 5m``."""
    parts = []
    if rule.warning_threshold is not None:
        level = "warning" if rule.critical_threshold is not None else rule.severity
        parts.append(f"{rule.comparator} {format_number(rule.warning_threshold)} {level}")
    if rule.critical_threshold is not None:
        level = "critical" if rule.warning_threshold is not None else rule.severity
        parts.append(f"{rule.comparator} {format_number(rule.critical_threshold)} {level}")
    extra = f" for {format_duration(rule.for_s)}" if rule.for_s else ""
    return ", ".join(parts) + extra


def echo_transitions(transitions: Sequence[Transition]) -> None:
    """Print transitions as a table (or that there were none)."""
    if not transitions:
        click.echo("no transitions")
        return
    rows = [
        (
            format_time(t.time),
            t.rule_name,
            format_labels(t.labels),
            t.state,
            t.severity,
            format_number(t.value),
            format_number(t.threshold),
            str(t.num_samples),
        )
        for t in transitions
    ]
    header = ("time", "rule", "group", "state", "severity", "value", "threshold", "samples")
    click.echo(text_table(header, rows))


def echo_active(active: Sequence[dict[str, Any]]) -> None:
    """Print active alerts as ``GET /v1/alerts`` gives them."""
    if not active:
        click.echo("no active alerts")
        return
    rows = [
        (
            a["name"],
            format_labels(a.get("labels") or {}),
            a["severity"],
            format_number(a.get("value")),
            format_number(a.get("threshold")),
            format_time(datetime.fromisoformat(a["firing_since"])) if a.get("firing_since") else "",
        )
        for a in active
    ]
    click.echo(
        text_table(("active alert", "group", "severity", "value", "threshold", "since"), rows)
    )


def format_labels(labels: dict[str, Any]) -> str:
    """Group labels as ``k=v,k=v`` (``-`` for none)."""
    return ",".join(f"{k}={v}" for k, v in labels.items()) or "-"


def format_time(moment: datetime) -> str:
    """A moment in UTC to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
