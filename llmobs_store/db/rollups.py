"""The ``daily_rollups`` table: per-day span aggregates kept when retention drops raw rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Double, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from llmobs_store.db.base import Base
from llmobs_store.db.types import UtcDateTime

# Group keys are NOT NULL ('' = not reported) so a day and group is one primary-key row that
# a later prune can merge into: NULLs never conflict in a unique key.
_NOT_REPORTED = "'' when the spans did not report one."


class DailyRollup(Base):
    """Spans of one UTC day and group, folded in by ``llmobs prune --keep-rollups``."""

    __tablename__ = "daily_rollups"
    __table_args__ = (
        {
            "comment": "Daily aggregates of pruned spans per service, span type, provider and "
            "model (llmobs prune --keep-rollups)."
        },
    )

    day_start: Mapped[datetime] = mapped_column(
        UtcDateTime,
        primary_key=True,
        comment="00:00 UTC of the day the spans' trace started (a trace is never split "
        "across days).",
    )
    service_name: Mapped[str] = mapped_column(
        Text, primary_key=True, comment=f"service.name of the spans; {_NOT_REPORTED}"
    )
    span_type: Mapped[str] = mapped_column(
        String(16),
        primary_key=True,
        comment="llm, embedding, retrieval, tool, agent, chain, other.",
    )
    provider: Mapped[str] = mapped_column(
        Text, primary_key=True, comment=f"Model provider; {_NOT_REPORTED}"
    )
    model: Mapped[str] = mapped_column(
        Text, primary_key=True, comment=f"Grouping model (spans.model); {_NOT_REPORTED}"
    )
    num_spans: Mapped[int] = mapped_column(
        BigInteger, comment="Spans in the group (requests, for llm spans)."
    )
    num_errors: Mapped[int] = mapped_column(BigInteger, comment="Spans with status error.")
    input_tokens: Mapped[int | None] = mapped_column(
        BigInteger, comment="Sum of input_tokens; NULL when no span reported any."
    )
    output_tokens: Mapped[int | None] = mapped_column(
        BigInteger, comment="Sum of output_tokens; NULL when no span reported any."
    )
    total_tokens: Mapped[int | None] = mapped_column(
        BigInteger, comment="Sum of total_tokens; NULL when no span reported any."
    )
    cache_read_tokens: Mapped[int | None] = mapped_column(
        BigInteger, comment="Sum of cache_read_tokens; NULL when no span reported any."
    )
    cache_write_tokens: Mapped[int | None] = mapped_column(
        BigInteger, comment="Sum of cache_write_tokens; NULL when no span reported any."
    )
    reasoning_tokens: Mapped[int | None] = mapped_column(
        BigInteger, comment="Sum of reasoning_tokens; NULL when no span reported any."
    )
    cost_usd: Mapped[float | None] = mapped_column(
        Double, comment="Sum of priced cost_usd; NULL when no span was priced."
    )
    num_priced: Mapped[int] = mapped_column(
        BigInteger, comment="Spans with a cost_usd (price coverage = num_priced / num_spans)."
    )
    num_unpriced: Mapped[int] = mapped_column(
        BigInteger, comment="LLM spans with tokens but no cost_usd (unknown model price)."
    )
    duration_ms_sum: Mapped[float] = mapped_column(
        Double, comment="Sum of duration_ms (mean = duration_ms_sum / num_spans)."
    )
    duration_ms_max: Mapped[float] = mapped_column(Double, comment="Longest duration_ms.")
    duration_ms_p50: Mapped[float] = mapped_column(
        Double,
        comment="Median duration_ms, exact when num_parts = 1. Percentiles do not add up: "
        "never average them across rows.",
    )
    duration_ms_p95: Mapped[float] = mapped_column(
        Double, comment="95th percentile of duration_ms; same caveats as duration_ms_p50."
    )
    duration_ms_p99: Mapped[float] = mapped_column(
        Double, comment="99th percentile of duration_ms; same caveats as duration_ms_p50."
    )
    num_parts: Mapped[int] = mapped_column(
        BigInteger,
        comment="Prune runs that folded spans into the row. Above 1, counts and sums are "
        "complete but percentiles are those of the largest part.",
    )
    rolled_up_at: Mapped[datetime] = mapped_column(
        UtcDateTime, comment="When spans were last folded into the row, UTC."
    )
