"""Daily rollups: per-day span aggregates kept when ``llmobs prune --keep-rollups`` drops raw rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_REPORTED = "'' when the spans did not report one."
PERCENTILE_NOTE = "same caveats as duration_ms_p50."
# The alert engine added the cost_zscore metric and the queued notification state.
METRIC_COMMENT = (
    "error_rate, latency_pNN, ttft_pNN, cost_sum, cost_zscore, token_sum, "
    "cache_hit_rate, request_count or custom_sql."
)
OLD_METRIC_COMMENT = (
    "error_rate, latency_p50..p99, ttft_p95, cost_sum, token_sum, "
    "cache_hit_rate, request_count or custom_sql."
)
NOTIFICATION_COMMENT = (
    "queued while being delivered, then sent or failed; skipped within the cooldown; "
    "NULL when nothing was due."
)
OLD_NOTIFICATION_COMMENT = "sent, failed, skipped or NULL when nothing was due."


def _sum(name: str) -> sa.Column[int]:
    return sa.Column(
        name,
        sa.BigInteger(),
        nullable=True,
        comment=f"Sum of {name}; NULL when no span reported any.",
    )


def upgrade() -> None:
    op.create_table(
        "daily_rollups",
        sa.Column(
            "day_start",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="00:00 UTC of the day the spans' trace started (a trace is never split "
            "across days).",
        ),
        sa.Column(
            "service_name",
            sa.Text(),
            nullable=False,
            comment=f"service.name of the spans; {NOT_REPORTED}",
        ),
        sa.Column(
            "span_type",
            sa.String(length=16),
            nullable=False,
            comment="llm, embedding, retrieval, tool, agent, chain, other.",
        ),
        sa.Column("provider", sa.Text(), nullable=False, comment=f"Model provider; {NOT_REPORTED}"),
        sa.Column(
            "model",
            sa.Text(),
            nullable=False,
            comment=f"Grouping model (spans.model); {NOT_REPORTED}",
        ),
        sa.Column(
            "num_spans",
            sa.BigInteger(),
            nullable=False,
            comment="Spans in the group (requests, for llm spans).",
        ),
        sa.Column(
            "num_errors", sa.BigInteger(), nullable=False, comment="Spans with status error."
        ),
        *(
            _sum(name)
            for name in (
                "input_tokens",
                "output_tokens",
                "total_tokens",
                "cache_read_tokens",
                "cache_write_tokens",
                "reasoning_tokens",
            )
        ),
        sa.Column(
            "cost_usd",
            sa.Double(),
            nullable=True,
            comment="Sum of priced cost_usd; NULL when no span was priced.",
        ),
        sa.Column(
            "num_priced",
            sa.BigInteger(),
            nullable=False,
            comment="Spans with a cost_usd (price coverage = num_priced / num_spans).",
        ),
        sa.Column(
            "num_unpriced",
            sa.BigInteger(),
            nullable=False,
            comment="LLM spans with tokens but no cost_usd (unknown model price).",
        ),
        sa.Column(
            "duration_ms_sum",
            sa.Double(),
            nullable=False,
            comment="Sum of duration_ms (mean = duration_ms_sum / num_spans).",
        ),
        sa.Column("duration_ms_max", sa.Double(), nullable=False, comment="Longest duration_ms."),
        sa.Column(
            "duration_ms_p50",
            sa.Double(),
            nullable=False,
            comment="Median duration_ms, exact when num_parts = 1. Percentiles do not add up: "
            "never average them across rows.",
        ),
        sa.Column(
            "duration_ms_p95",
            sa.Double(),
            nullable=False,
            comment=f"95th percentile of duration_ms; {PERCENTILE_NOTE}",
        ),
        sa.Column(
            "duration_ms_p99",
            sa.Double(),
            nullable=False,
            comment=f"99th percentile of duration_ms; {PERCENTILE_NOTE}",
        ),
        sa.Column(
            "num_parts",
            sa.BigInteger(),
            nullable=False,
            comment="Prune runs that folded spans into the row. Above 1, counts and sums are "
            "complete but percentiles are those of the largest part.",
        ),
        sa.Column(
            "rolled_up_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When spans were last folded into the row, UTC.",
        ),
        sa.PrimaryKeyConstraint(
            "day_start",
            "service_name",
            "span_type",
            "provider",
            "model",
            name=op.f("pk_daily_rollups"),
        ),
        comment="Daily aggregates of pruned spans per service, span type, provider and model "
        "(llmobs prune --keep-rollups).",
    )

    _comment_alert_columns(METRIC_COMMENT, NOTIFICATION_COMMENT)


def downgrade() -> None:
    _comment_alert_columns(OLD_METRIC_COMMENT, OLD_NOTIFICATION_COMMENT)
    op.drop_table("daily_rollups")


def _comment_alert_columns(metric: str, notification: str) -> None:
    # COMMENT ON COLUMN on both backends: no ALTER of the column itself, so indexes stay.
    for table, column, comment in (
        ("alert_rules", "metric", metric),
        ("alert_events", "notification_status", notification),
    ):
        quoted = comment.replace("'", "''")
        op.execute(f"COMMENT ON COLUMN {table}.{column} IS '{quoted}'")
