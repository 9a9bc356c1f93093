"""Tables users maintain by hand: model price overrides and saved SQL queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Double, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from llmobs_store.db.base import Base
from llmobs_store.db.sequences import id_column
from llmobs_store.db.types import UtcDateTime


class ModelPrice(Base):
    """A price override; it wins over the bundled price data from ``effective_from`` on."""

    __tablename__ = "model_prices"
    __table_args__ = (
        Index("ix_model_prices_model_effective_from", "model", "effective_from"),
        {"comment": "Per-model price overrides (USD per million tokens) with a start time."},
    )

    id: Mapped[int] = id_column("model_prices_id_seq")
    model: Mapped[str] = mapped_column(Text, comment="Model name as stored in spans.model.")
    provider: Mapped[str | None] = mapped_column(
        Text, comment="Provider it applies to; NULL for any provider."
    )
    effective_from: Mapped[datetime] = mapped_column(
        UtcDateTime, comment="Spans starting at or after this time use the price, UTC."
    )
    input_usd_per_mtok: Mapped[float] = mapped_column(
        Double, comment="USD per million uncached input tokens."
    )
    output_usd_per_mtok: Mapped[float] = mapped_column(
        Double, comment="USD per million output tokens (reasoning included)."
    )
    cache_read_usd_per_mtok: Mapped[float | None] = mapped_column(
        Double, comment="USD per million cache-read tokens; NULL = input price."
    )
    cache_write_usd_per_mtok: Mapped[float | None] = mapped_column(
        Double, comment="USD per million cache-write tokens; NULL = input price."
    )
    note: Mapped[str | None] = mapped_column(Text, comment="Why the override exists.")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, comment="Creation time, UTC.")


class SavedQuery(Base):
    """A named read-only SQL query kept for the SQL console and ``llmobs sql``."""

    __tablename__ = "saved_queries"
    __table_args__ = (
        Index("ux_saved_queries_name", "name", unique=True),
        {"comment": "Named SQL queries saved from the console or the CLI."},
    )

    id: Mapped[int] = id_column("saved_queries_id_seq")
    name: Mapped[str] = mapped_column(Text, comment="Unique query name.")
    sql: Mapped[str] = mapped_column(Text, comment="The query text, with :named parameters.")
    description: Mapped[str | None] = mapped_column(Text, comment="What the query answers.")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, comment="Creation time, UTC.")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, comment="Last change, UTC.")
