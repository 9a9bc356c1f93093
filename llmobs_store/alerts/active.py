"""Which alerts are firing now: the latest event of each rule and group, when it is 'firing'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from llmobs_store.db.models import AlertEvent


@dataclass(frozen=True, slots=True)
class ActiveAlert:
    """A rule (for one group of labels) whose latest transition is to 'firing'."""

    rule_id: int
    name: str
    severity: str
    message: str
    value: float | None
    threshold: float | None
    labels: dict[str, Any]
    firing_since: datetime


def list_active_alerts(conn: Connection) -> list[ActiveAlert]:
    """Active alerts, most severe first, then oldest first."""
    ranked = select(
        AlertEvent,
        func.row_number()
        .over(
            partition_by=(AlertEvent.rule_id, AlertEvent.group_key),
            order_by=(AlertEvent.time.desc(), AlertEvent.id.desc()),
        )
        .label("newest"),
    ).subquery()
    rows = conn.execute(
        select(ranked).where(ranked.c.newest == 1, ranked.c.state == "firing")
    ).mappings()
    severity_rank = {"critical": 0, "warning": 1, "info": 2}
    alerts = [
        ActiveAlert(
            rule_id=row["rule_id"],
            name=row["rule_name"],
            severity=row["severity"],
            message=row["message"] or "",
            value=row["value"],
            threshold=row["threshold"],
            labels=dict(row["labels"] or {}),
            firing_since=row["active_since"] or row["time"],
        )
        for row in rows
    ]
    return sorted(alerts, key=lambda a: (severity_rank.get(a.severity, 3), a.firing_since))
