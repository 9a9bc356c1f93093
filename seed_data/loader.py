"""Writes the demo into a ``Store``: generated telemetry, alert rules and their history."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from llmobs_store.alerts.backtest import backtest
from llmobs_store.alerts.history import record_transitions
from llmobs_store.alerts.rules import list_rules
from llmobs_store.db.models import AlertEvent, AlertRule
from llmobs_store.ingest.records import Record
from llmobs_store.store import Store
from seed_data.generate import DEFAULT_DAYS, DEFAULT_NUM_TRACES, generate


@dataclass(frozen=True)
class DemoSummary:
    """What one ``load_demo`` call wrote."""

    num_traces: int
    num_spans: int
    num_logs: int
    num_request_samples: int
    num_metric_points: int
    num_rules: int
    num_alert_events: int = 0


def load_demo(
    store: Store,
    *,
    num_traces: int = DEFAULT_NUM_TRACES,
    days: float = DEFAULT_DAYS,
    seed: int = 42,
    end: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    alert_history: bool = False,
) -> DemoSummary:
    """Generate the demo and store it; returns once everything is committed.

    ``end`` defaults to now, truncated to the minute (a naive ``end`` is UTC). ``progress``
    is called with the number of traces handed to the writer after each batch. Alert rules
    from ``rules.json`` are added unless a rule of that name exists, so loading twice adds
    no second copy (spans are skipped by key, but logs, samples and points are appended).
    With ``alert_history``, ``alert_events`` gets what the rules would have recorded over the
    generated days (``replay_alert_history``), unless it holds events already.

    >>> with Store.open("duckdb:///demo.duckdb") as store:         # doctest: +SKIP
    ...     load_demo(store, num_traces=1_000, progress=print)
    """
    end = end or datetime.now(UTC).replace(second=0, microsecond=0)
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)  # as generate() reads it
    futures: list[Future[None]] = []
    num_done = num_spans = num_logs = num_samples = num_points = 0
    for batch in generate(num_traces=num_traces, days=days, seed=seed, end=end):
        futures.append(store.submit_spans(batch.spans, block=True))
        others: list[Record] = [*batch.logs, *batch.request_samples, *batch.metric_points]
        futures.append(store.submit(others, block=True))
        num_done += batch.num_traces
        num_spans += len(batch.spans)
        num_logs += len(batch.logs)
        num_samples += len(batch.request_samples)
        num_points += len(batch.metric_points)
        if progress is not None:
            progress(num_done)
    for future in futures:
        future.result()
    num_rules = load_rules(store, now=end)
    num_events = 0
    if alert_history:
        num_events = replay_alert_history(store, since=end - timedelta(days=days), until=end)
    return DemoSummary(
        num_done, num_spans, num_logs, num_samples, num_points, num_rules, num_events
    )


def demo_rules() -> list[dict[str, Any]]:
    """The alert rules of ``seed_data/rules.json``, as ``alert_rules`` column values."""
    text = resources.files("seed_data").joinpath("rules.json").read_text(encoding="utf-8")
    rules: list[dict[str, Any]] = json.loads(text)
    return rules


def load_rules(store: Store, *, now: datetime) -> int:
    """Add the demo's alert rules whose names are not taken yet; returns how many were added."""
    with Session(store.engine) as session, session.begin():
        taken = set(session.scalars(select(AlertRule.name)))
        new = [
            AlertRule(**rule, created_at=now, updated_at=now)
            for rule in demo_rules()
            if rule["name"] not in taken
        ]
        session.add_all(new)
    return len(new)


def replay_alert_history(
    store: Store, *, since: datetime, until: datetime, step_s: int = 300
) -> int:
    """Record the transitions an evaluator running every ``step_s`` over [since, until] would
    have recorded (by backtest, so nothing is sent); returns how many, 0 if events exist.

    The server's evaluator then carries on from this history: an alert still firing at
    ``until`` stays firing until a live evaluation resolves it.
    """
    with store.connect() as conn:
        if conn.execute(select(func.count()).select_from(AlertEvent)).scalar_one():
            return 0
        rules = list_rules(conn, enabled_only=True)
    num_events = 0
    for rule in rules:
        transitions = backtest(store, rule, since=since, until=until, step_s=step_s).transitions
        with store.engine.begin() as conn:
            record_transitions(conn, transitions, [None] * len(transitions))
        num_events += len(transitions)
    return num_events
