"""The ``open_spans`` table: spans started through the JSON API and not yet ended."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from llmobs_store.db.base import Base
from llmobs_store.db.spans import SPAN_ID, TRACE_ID
from llmobs_store.db.types import UtcDateTime, json_type


class OpenSpan(Base):
    """A span between ``POST /v1/spans`` and ``PUT /v1/spans/<id>``.

    Kept in the database, not in one process's memory, so the end of a span may reach another
    collector process (PostgreSQL deployments) or a restarted one. Ending a span moves it to
    ``spans``.
    """

    __tablename__ = "open_spans"
    __table_args__ = ({"comment": "Spans started through the JSON API and not ended yet."},)

    span_id: Mapped[str] = mapped_column(SPAN_ID, primary_key=True, comment="Span id.")
    trace_id: Mapped[str] = mapped_column(TRACE_ID, comment="Trace id.")
    parent_span_id: Mapped[str | None] = mapped_column(
        SPAN_ID, comment="Parent span id; NULL for the root span of a trace."
    )
    name: Mapped[str] = mapped_column(Text, comment="Span name.")
    kind: Mapped[str] = mapped_column(String(16), comment="OpenTelemetry span kind.")
    start_time: Mapped[datetime] = mapped_column(UtcDateTime, comment="Start, UTC.")
    service_name: Mapped[str | None] = mapped_column(Text, comment="Service that started it.")
    attributes: Mapped[dict[str, Any]] = mapped_column(
        json_type(), comment="Attributes given at start, JSON."
    )
