"""Open spans of the JSON API, kept in the database so any collector process can end them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "open_spans",
        sa.Column("span_id", sa.String(length=16), nullable=False, comment="Span id."),
        sa.Column("trace_id", sa.String(length=32), nullable=False, comment="Trace id."),
        sa.Column(
            "parent_span_id",
            sa.String(length=16),
            nullable=True,
            comment="Parent span id; NULL for the root span of a trace.",
        ),
        sa.Column("name", sa.Text(), nullable=False, comment="Span name."),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="OpenTelemetry span kind."),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False, comment="Start, UTC."),
        sa.Column("service_name", sa.Text(), nullable=True, comment="Service that started it."),
        sa.Column("attributes", JSON, nullable=False, comment="Attributes given at start, JSON."),
        sa.PrimaryKeyConstraint("span_id", name=op.f("pk_open_spans")),
        comment="Spans started through the JSON API and not ended yet.",
    )


def downgrade() -> None:
    op.drop_table("open_spans")
