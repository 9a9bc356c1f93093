"""The ``alert_events`` history: transitions written, notification outcomes, states restored."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, update

from llmobs_store.alerts.evaluate import GroupState, Transition
from llmobs_store.db.models import AlertEvent

_EVENTS: Table = AlertEvent.__table__  # type: ignore[assignment]


def record_transitions(
    conn: Connection, transitions: Sequence[Transition], statuses: Sequence[str | None]
) -> list[int]:
    """Insert one ``alert_events`` row per transition; returns their ids in order."""
    ids = []
    for t, status in zip(transitions, statuses, strict=True):
        stmt = (
            insert(_EVENTS)
            .values(
                rule_id=t.rule_id,
                rule_name=t.rule_name,
                group_key=t.group_key,
                labels=t.labels or None,
                state=t.state,
                severity=t.severity,
                value=t.value,
                threshold=t.threshold,
                num_samples=t.num_samples,
                message=t.message,
                time=t.time,
                active_since=t.active_since,
                notification_status=status,
                notification_attempts=0 if status == "queued" else None,
            )
            .returning(_EVENTS.c.id)
        )
        ids.append(int(conn.execute(stmt).scalar_one()))
    return ids


def record_notification(
    engine: Engine, event_id: int, status: str, attempts: int, error: str | None
) -> None:
    """Store how delivering the notification of event ``event_id`` ended."""
    stmt = (
        update(_EVENTS)
        .where(_EVENTS.c.id == event_id)
        .values(
            notification_status=status,
            notification_attempts=attempts,
            notification_error=None if error is None else error[:2000],
        )
    )
    with engine.begin() as conn:
        conn.execute(stmt)


def fail_interrupted(engine: Engine) -> int:
    """Mark notifications left ``queued`` by a process that stopped as failed; returns how many."""
    stmt = (
        update(_EVENTS)
        .where(_EVENTS.c.notification_status == "queued")
        .values(
            notification_status="failed",
            notification_error="the server stopped before the notification was delivered",
        )
    )
    with engine.begin() as conn:
        return int(conn.execute(stmt).rowcount)


def load_states(conn: Connection) -> dict[int, dict[str, GroupState]]:
    """Each rule's groups as the history leaves them, so a restart neither re-fires nor forgets.

    A group whose latest event is pending or firing is restored in that state; every group
    keeps the time it was last notified, so the cooldown holds across restarts.
    """
    e = _EVENTS.c
    ranked = select(
        e.rule_id,
        e.rule_name,
        e.group_key,
        e.labels,
        e.state,
        e.severity,
        e.active_since,
        func.row_number()
        .over(partition_by=(e.rule_id, e.group_key), order_by=(e.time.desc(), e.id.desc()))
        .label("newest"),
    ).subquery()
    states: dict[int, dict[str, GroupState]] = {}
    for row in conn.execute(select(ranked).where(ranked.c.newest == 1)).mappings():
        active = row["state"] in ("pending", "firing")
        states.setdefault(int(row["rule_id"]), {})[row["group_key"]] = GroupState(
            labels=dict(row["labels"] or {}),
            state=row["state"] if active else "ok",
            severity=row["severity"] if active else None,
            active_since=row["active_since"] if active else None,
            rule_name=row["rule_name"],
        )
    # A firing event whose notification was due (not skipped by the cooldown) notified.
    notified = (
        select(e.rule_id, e.group_key, func.max(e.time))
        .where(e.state == "firing")
        .where(func.coalesce(e.notification_status, "") != "skipped")
        .group_by(e.rule_id, e.group_key)
    )
    for rule_id, key, last in conn.execute(notified):
        state = states.get(int(rule_id), {}).get(key)
        if state is not None:
            state.last_notified = last
    return states


@dataclass(frozen=True)
class AlertHistoryEntry:
    """One stored transition, as the CLI and the UI list them."""

    id: int
    rule_id: int
    rule_name: str
    group_key: str
    labels: dict[str, Any]
    state: str
    severity: str
    value: float | None
    threshold: float | None
    num_samples: int | None
    message: str
    time: datetime
    active_since: datetime | None
    notification_status: str | None
    notification_attempts: int | None
    notification_error: str | None


def list_events(
    conn: Connection,
    *,
    rule_name: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[AlertHistoryEntry]:
    """Stored transitions, newest first."""
    stmt = select(_EVENTS).order_by(_EVENTS.c.time.desc(), _EVENTS.c.id.desc()).limit(limit)
    if rule_name is not None:
        stmt = stmt.where(_EVENTS.c.rule_name == rule_name)
    if since is not None:
        stmt = stmt.where(_EVENTS.c.time >= since)
    return [
        AlertHistoryEntry(
            id=row["id"],
            rule_id=row["rule_id"],
            rule_name=row["rule_name"],
            group_key=row["group_key"],
            labels=dict(row["labels"] or {}),
            state=row["state"],
            severity=row["severity"],
            value=row["value"],
            threshold=row["threshold"],
            num_samples=row["num_samples"],
            message=row["message"] or "",
            time=row["time"],
            active_since=row["active_since"],
            notification_status=row["notification_status"],
            notification_attempts=row["notification_attempts"],
            notification_error=row["notification_error"],
        )
        for row in conn.execute(stmt).mappings()
    ]


@dataclass(frozen=True)
class AlertEpisode:
    """One time a rule fired for one group, from the history: when, how long, how bad, told?"""

    rule_id: int
    rule_name: str
    labels: dict[str, Any]
    severity: str
    fired_at: datetime
    resolved_at: datetime | None
    peak_value: float | None
    threshold: float | None
    notification_status: str | None
    notification_error: str | None
    message: str

    @property
    def duration_s(self) -> float | None:
        """Seconds from firing to resolution; None while still firing."""
        if self.resolved_at is None:
            return None
        return (self.resolved_at - self.fired_at).total_seconds()


def list_episodes(
    conn: Connection,
    *,
    since: datetime,
    until: datetime,
    rule_name: str | None = None,
    limit: int = 5_000,
) -> list[AlertEpisode]:
    """Firing episodes with an event in [since, until], newest first.

    An episode that started before ``since`` starts at its ``active_since``.
    """
    stmt = (
        select(_EVENTS)
        .where(_EVENTS.c.time >= since, _EVENTS.c.time <= until)
        .where(_EVENTS.c.state.in_(("firing", "resolved")))
        .order_by(_EVENTS.c.time, _EVENTS.c.id)
        .limit(limit)
    )
    if rule_name is not None:
        stmt = stmt.where(_EVENTS.c.rule_name == rule_name)
    open_: dict[tuple[int, str], AlertEpisode] = {}
    done: list[AlertEpisode] = []
    for row in conn.execute(stmt).mappings():
        key = (int(row["rule_id"]), row["group_key"])
        current = open_.get(key)
        if row["state"] == "firing":
            if current is None:
                open_[key] = _episode(row)
            else:
                peak = current.peak_value
                if row["value"] is not None and (peak is None or abs(row["value"]) > abs(peak)):
                    peak = row["value"]
                worse = _RANK.get(row["severity"], 0) > _RANK.get(current.severity, 0)
                open_[key] = dataclasses.replace(
                    current,
                    peak_value=peak,
                    severity=row["severity"] if worse else current.severity,
                    threshold=row["threshold"] if worse else current.threshold,
                    message=row["message"] if worse else current.message,
                )
        else:
            if current is None:
                if row["active_since"] is None:
                    continue  # a pending alert that cleared, or history cut off
                current = dataclasses.replace(_episode(row), fired_at=row["active_since"])
            done.append(dataclasses.replace(current, resolved_at=row["time"]))
            open_.pop(key, None)
    episodes = [*done, *open_.values()]
    return sorted(episodes, key=lambda e: (e.fired_at, e.rule_name), reverse=True)


_RANK = {"info": 0, "warning": 1, "critical": 2}


def _episode(row: Any) -> AlertEpisode:
    return AlertEpisode(
        rule_id=int(row["rule_id"]),
        rule_name=row["rule_name"],
        labels=dict(row["labels"] or {}),
        severity=row["severity"],
        fired_at=row["time"],
        resolved_at=None,
        peak_value=row["value"],
        threshold=row["threshold"],
        notification_status=row["notification_status"],
        notification_error=row["notification_error"],
        message=row["message"] or "",
    )
