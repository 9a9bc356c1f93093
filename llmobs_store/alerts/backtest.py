"""Backtest: replay a rule over history and report when it would have fired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from llmobs_store.alerts.evaluate import GroupState, Transition, advance
from llmobs_store.alerts.measures import Measurement, measure_steps
from llmobs_store.alerts.rules import Rule
from llmobs_store.store import Store

MAX_STEPS = 200_000


@dataclass(frozen=True)
class Episode:
    """One time the rule fired for one group: from firing to resolved (None: still firing)."""

    group_key: str
    labels: dict[str, object]
    fired_at: datetime
    resolved_at: datetime | None
    peak_value: float | None
    severity: str


@dataclass(frozen=True)
class Backtest:
    """The transitions a live evaluation every ``step_s`` would have made over the range."""

    rule: Rule
    since: datetime
    until: datetime
    step_s: int
    num_steps: int
    transitions: list[Transition]
    episodes: list[Episode]
    # What each evaluation measured, per window end (for charts of value against threshold).
    measured: dict[datetime, list[Measurement]]


def backtest(
    store: Store,
    rule: Rule,
    *,
    since: datetime,
    until: datetime | None = None,
    step_s: int = 300,
) -> Backtest:
    """Evaluate ``rule`` at ``since + k * step_s`` until ``until`` (default: now), from scratch.

    Every window is measured by one query (custom SQL: one per step), then the same state
    machine the live evaluator uses walks the steps in order, so a live evaluation at the
    same times over the same data makes the same transitions. Nothing is stored or sent.
    """
    end = (until or datetime.now(UTC)).astimezone(UTC)
    start = since.astimezone(UTC).replace(microsecond=0)
    if step_s < 1:
        raise ValueError("the step must be at least one second")
    if end < start:
        raise ValueError("since must be before until")
    num_steps = int((end - start).total_seconds() // step_s) + 1
    if num_steps > MAX_STEPS:
        raise ValueError(f"{num_steps} steps is too many: use a longer step or a shorter range")
    measured = measure_steps(store, rule, start, num_steps=num_steps, step_s=step_s)
    states: dict[str, GroupState] = {}
    transitions: list[Transition] = []
    for moment in sorted(measured):
        transitions += advance(rule, states, measured[moment], moment)
    last = start + timedelta(seconds=(num_steps - 1) * step_s)
    episodes = _episodes(transitions)
    return Backtest(rule, start, last, step_s, num_steps, transitions, episodes, measured)


def _episodes(transitions: list[Transition]) -> list[Episode]:
    """Firing periods per group, with the most extreme value recorded during each."""
    open_: dict[str, Episode] = {}
    done: list[Episode] = []
    for t in transitions:
        current = open_.get(t.group_key)
        if t.state == "firing":
            if current is None:
                open_[t.group_key] = Episode(
                    t.group_key, dict(t.labels), t.time, None, t.value, t.severity
                )
            else:
                peak = current.peak_value
                if t.value is not None and (peak is None or abs(t.value) > abs(peak)):
                    peak = t.value
                severity = max(current.severity, t.severity, key=_rank)
                open_[t.group_key] = Episode(
                    current.group_key, current.labels, current.fired_at, None, peak, severity
                )
        elif t.state == "resolved" and current is not None:
            done.append(
                Episode(
                    current.group_key,
                    current.labels,
                    current.fired_at,
                    t.time,
                    current.peak_value,
                    current.severity,
                )
            )
            del open_[t.group_key]
    return sorted([*done, *open_.values()], key=lambda e: (e.fired_at, e.group_key))


def _rank(severity: str) -> int:
    return {"info": 0, "warning": 1, "critical": 2}.get(severity, -1)
