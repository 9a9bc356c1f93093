"""The alert state machine: ok → pending → firing → resolved, per rule and group."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from llmobs_store.alerts.measures import Measurement, group_key
from llmobs_store.alerts.rules import Rule

State = Literal["ok", "pending", "firing"]
Notify = Literal["due", "skipped"]
_SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.:-]+)\}")


@dataclass
class GroupState:
    """Where one group of one rule stands between evaluations."""

    labels: dict[str, Any]
    state: State = "ok"
    severity: str | None = None
    active_since: datetime | None = None
    last_notified: datetime | None = None
    rule_name: str | None = None


@dataclass(frozen=True)
class Transition:
    """One state change (or a re-notification of a firing alert), as stored in alert_events."""

    rule_id: int | None
    rule_name: str
    group_key: str
    labels: dict[str, Any]
    state: str
    severity: str
    value: float | None
    threshold: float | None
    num_samples: int
    message: str
    time: datetime
    active_since: datetime | None
    notify: Notify | None = None
    details: dict[str, float] = field(default_factory=dict)


def advance(
    rule: Rule,
    states: dict[str, GroupState],
    measurements: Sequence[Measurement],
    now: datetime,
) -> list[Transition]:
    """Move every group of ``rule`` on by one evaluation at ``now``; returns the transitions.

    ``states`` is updated in place. Groups that were measured and groups that are pending or
    firing are considered; a missing group has no data. Below ``min_samples`` there is no
    verdict: the state stays as it is. No data follows the rule's ``no_data`` choice.
    """
    measured = {m.group_key: m for m in measurements}
    if not rule.group_by and rule.metric != "custom_sql" and "" not in measured:
        measured[""] = Measurement({}, None, 0)
    keys = set(measured) | {k for k, s in states.items() if s.state != "ok"}
    transitions: list[Transition] = []
    for key in sorted(keys):
        state = states.get(key)
        m = measured.get(key) or Measurement(state.labels if state else {}, None, 0)
        if state is None:
            state = states[key] = GroupState(labels=dict(m.labels), rule_name=rule.name)
        value = m.value if m.value is not None and math.isfinite(m.value) else None
        if m.num_samples == 0 or value is None:
            if rule.no_data == "keep":
                continue
            severity = rule.severity if rule.no_data == "alerting" else None
        elif m.num_samples < rule.min_samples:
            continue
        else:
            severity = rule.severity_for(value)
        change = _step(rule, state, severity, now)
        if change is not None:
            kind, notify = change
            transitions.append(_transition(rule, key, state, kind, notify, m, value, now))
            if kind == "resolved":
                state.active_since = None
                state.severity = None
    return transitions


def retire(rule_id: int, states: dict[str, GroupState], now: datetime) -> list[Transition]:
    """Resolve every pending or firing group of a rule that was disabled or deleted."""
    found = []
    for key, state in sorted(states.items()):
        if state.state == "ok":
            continue
        name = state.rule_name or str(rule_id)
        found.append(
            Transition(
                rule_id=rule_id,
                rule_name=name,
                group_key=key,
                labels=dict(state.labels),
                state="resolved",
                severity=state.severity or "info",
                value=None,
                threshold=None,
                num_samples=0,
                message=f"Resolved: rule {name} was disabled or deleted",
                time=now,
                active_since=state.active_since if state.state == "firing" else None,
            )
        )
        state.state, state.severity, state.active_since = "ok", None, None
    return found


def _step(
    rule: Rule, state: GroupState, severity: str | None, now: datetime
) -> tuple[str, Notify | None] | None:
    """Apply one verdict to ``state``; returns (event state, notification) when one is due."""
    if severity is None:
        if state.state == "ok":
            return None
        was_firing = state.state == "firing"
        state.state = "ok"
        return "resolved", ("due" if was_firing else None)
    if state.state == "ok":
        state.severity, state.active_since = severity, now
        if rule.for_s > 0:
            state.state = "pending"
            return "pending", None
        state.state = "firing"
        return "firing", _due(rule, state, now)
    if state.state == "pending":
        state.severity = severity
        assert state.active_since is not None
        if (now - state.active_since).total_seconds() < rule.for_s:
            return None
        state.state = "firing"
        return "firing", _due(rule, state, now)
    if severity != state.severity:
        escalated = _SEVERITY_RANK[severity] > _SEVERITY_RANK.get(state.severity or "", -1)
        state.severity = severity
        if escalated:
            state.last_notified = now
            return "firing", "due"
        return "firing", _due(rule, state, now)
    last = state.last_notified
    if rule.cooldown_s > 0 and last is not None:
        if (now - last).total_seconds() >= rule.cooldown_s:
            state.last_notified = now
            return "firing", "due"
    return None


def _due(rule: Rule, state: GroupState, now: datetime) -> Notify:
    """A notification is due unless the group was notified within the cooldown."""
    last = state.last_notified
    if last is not None and rule.cooldown_s > 0:
        if (now - last).total_seconds() < rule.cooldown_s:
            return "skipped"
    state.last_notified = now
    return "due"


def _transition(
    rule: Rule,
    key: str,
    state: GroupState,
    kind: str,
    notify: Notify | None,
    m: Measurement,
    value: float | None,
    now: datetime,
) -> Transition:
    severity = state.severity or rule.severity
    threshold = rule.threshold_for(severity)
    message = render_message(rule, m.labels or state.labels, value, threshold, severity, m.details)
    if kind == "resolved":
        message = (
            f"Resolved: {message}" if value is not None else f"Resolved (no data): {rule.name}"
        )
    return Transition(
        rule_id=rule.id,
        rule_name=rule.name,
        group_key=key or group_key(m.labels),
        labels=dict(m.labels or state.labels),
        state=kind,
        severity=severity,
        value=value,
        threshold=threshold,
        num_samples=m.num_samples,
        message=message,
        time=now,
        # A pending alert that cleared never fired: no start to report for it.
        active_since=None if kind == "resolved" and notify is None else state.active_since,
        notify=notify,
        details=dict(m.details),
    )


def render_message(
    rule: Rule,
    labels: Mapping[str, Any],
    value: float | None,
    threshold: float | None,
    severity: str,
    details: Mapping[str, float] | None = None,
) -> str:
    """The rule's template with ``{value}``, ``{threshold}``, labels and details filled in.

    Placeholders may hold dots (``{metadata.tenant}``), so this is not ``str.format``; an
    unknown placeholder is left as written.
    """
    fields: dict[str, str] = {
        "rule": rule.name,
        "metric": rule.metric,
        "severity": severity,
        "comparator": rule.comparator,
        "value": format_number(value),
        "threshold": format_number(threshold),
    }
    fields.update({k: format_number(v) for k, v in (details or {}).items()})
    fields.update({k: "" if v is None else str(v) for k, v in labels.items()})
    template = rule.message_template or (
        "{rule}: {metric} {value} " + rule.comparator + " {threshold}"
    )
    text = _PLACEHOLDER.sub(lambda m: fields.get(m[1], m[0]), template)
    if labels and rule.message_template is None:
        text += " (" + ", ".join(f"{k}={v}" for k, v in labels.items()) + ")"
    return text


def format_number(value: float | None) -> str:
    """Six significant digits; ``no data`` for None."""
    if value is None:
        return "no data"
    return f"{value:.6g}"
