"""Alert tables: declarative rules and the history of every state change they went through."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Double, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from llmobs_store.db.base import Base, time_index
from llmobs_store.db.sequences import id_column
from llmobs_store.db.types import UtcDateTime, json_type


class AlertRule(Base):
    """A rule evaluated in SQL over a time window, optionally per group (model, user, tenant…)."""

    __tablename__ = "alert_rules"
    __table_args__ = (
        # A unique index, not a UNIQUE constraint: DuckDB drops constraint names on reflection.
        Index("ux_alert_rules_name", "name", unique=True),
        {"comment": "Alert rules: metric, filter, window, thresholds, notifiers."},
    )

    id: Mapped[int] = id_column("alert_rules_id_seq")
    name: Mapped[str] = mapped_column(Text, comment="Unique rule name.")
    description: Mapped[str | None] = mapped_column(Text, comment="What the rule watches for.")
    enabled: Mapped[bool] = mapped_column(Boolean, comment="Disabled rules are not evaluated.")
    metric: Mapped[str] = mapped_column(
        String(32),
        comment="error_rate, latency_pNN, ttft_pNN, cost_sum, cost_zscore, token_sum, "
        "cache_hit_rate, request_count or custom_sql.",
    )
    query: Mapped[str | None] = mapped_column(
        Text, comment="For custom_sql: a read-only query returning one number per group."
    )
    filters: Mapped[dict[str, Any] | None] = mapped_column(
        json_type(), comment="Column filters applied before measuring, JSON object."
    )
    group_by: Mapped[list[str] | None] = mapped_column(
        json_type(), comment="Dimensions measured separately (model, user_id, attribute keys)."
    )
    window_s: Mapped[int] = mapped_column(Integer, comment="Look-back window in seconds.")
    comparator: Mapped[str] = mapped_column(String(2), comment="One of >, >=, <, <=.")
    warning_threshold: Mapped[float | None] = mapped_column(
        Double, comment="Value that makes the rule a warning."
    )
    critical_threshold: Mapped[float | None] = mapped_column(
        Double, comment="Value that makes the rule critical."
    )
    severity: Mapped[str] = mapped_column(
        String(10), comment="Severity when a single threshold applies: info, warning, critical."
    )
    min_samples: Mapped[int] = mapped_column(
        Integer, comment="Fewer samples in the window than this means no verdict."
    )
    for_s: Mapped[int] = mapped_column(
        Integer, comment="Seconds the condition must hold before pending becomes firing."
    )
    cooldown_s: Mapped[int] = mapped_column(
        Integer, comment="Seconds before a firing alert is notified again."
    )
    no_data: Mapped[str] = mapped_column(
        String(10), comment="What no data means: ok, keep (last state) or alerting."
    )
    message_template: Mapped[str | None] = mapped_column(
        Text, comment="Message with {value}, {threshold} and group label placeholders."
    )
    notifiers: Mapped[list[Any] | None] = mapped_column(
        json_type(), comment="Where to notify: [{type: webhook|slack|log, url}], JSON."
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, comment="Creation time, UTC.")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, comment="Last change, UTC.")


class AlertEvent(Base):
    """One transition of one rule for one group: pending, firing or resolved."""

    __tablename__ = "alert_events"
    __table_args__ = (
        time_index("ix_alert_events_time", "time"),
        Index("ix_alert_events_rule_id", "rule_id"),
        {"comment": "Alert history: every state change with measured value and threshold."},
    )

    id: Mapped[int] = id_column("alert_events_id_seq")
    # No foreign key: DuckDB cannot cascade, and history outlives a deleted rule.
    rule_id: Mapped[int] = mapped_column(BigInteger, comment="alert_rules.id of the rule.")
    rule_name: Mapped[str] = mapped_column(Text, comment="Rule name at the time of the event.")
    group_key: Mapped[str] = mapped_column(
        Text, comment="Canonical text of the group labels; '' for an ungrouped rule."
    )
    labels: Mapped[dict[str, Any] | None] = mapped_column(
        json_type(), comment="Group labels, e.g. {model: gpt-4o}, JSON."
    )
    state: Mapped[str] = mapped_column(String(10), comment="pending, firing or resolved.")
    severity: Mapped[str] = mapped_column(String(10), comment="info, warning or critical.")
    value: Mapped[float | None] = mapped_column(Double, comment="Measured value.")
    threshold: Mapped[float | None] = mapped_column(Double, comment="Threshold it was held to.")
    num_samples: Mapped[int | None] = mapped_column(
        BigInteger, comment="Samples in the window behind the value."
    )
    message: Mapped[str | None] = mapped_column(Text, comment="Rendered alert message.")
    time: Mapped[datetime] = mapped_column(UtcDateTime, comment="When the transition happened.")
    active_since: Mapped[datetime | None] = mapped_column(
        UtcDateTime, comment="When the condition first held (start of pending), UTC."
    )
    notification_status: Mapped[str | None] = mapped_column(
        String(10),
        comment="queued while being delivered, then sent or failed; skipped within the "
        "cooldown; NULL when nothing was due.",
    )
    notification_attempts: Mapped[int | None] = mapped_column(
        Integer, comment="Delivery attempts made."
    )
    notification_error: Mapped[str | None] = mapped_column(
        Text, comment="Last delivery error, when delivery failed."
    )
