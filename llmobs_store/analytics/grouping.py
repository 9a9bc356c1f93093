"""The shared shape of grouped questions: dimensions, an optional time bucket, filter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, literal_column

from llmobs_store.analytics.buckets import BucketSize, bucket_seconds, bucket_start
from llmobs_store.analytics.dimensions import dimension_column
from llmobs_store.analytics.filters import SpanFilter
from llmobs_store.db.spans import Span


@dataclass(frozen=True, slots=True)
class Grouping:
    """Group-by dimensions (by name) and a bucket size; the leading columns of a result."""

    dimensions: tuple[str, ...]
    bucket: int | None

    @classmethod
    def of(cls, group_by: Sequence[str], bucket: BucketSize | None) -> Grouping:
        """Validate ``group_by`` names and the bucket size (``ValueError`` when unknown)."""
        dimensions = (group_by,) if isinstance(group_by, str) else tuple(group_by)
        for name in dimensions:
            dimension_column(name)
        return cls(dimensions, None if bucket is None else bucket_seconds(bucket))

    def columns(self) -> list[ColumnElement[Any]]:
        """The dimension columns, then ``bucket_start`` when bucketed."""
        columns = [dimension_column(name) for name in self.dimensions]
        if self.bucket is not None:
            columns.append(bucket_start(Span.start_time, self.bucket).label("bucket_start"))
        return columns

    def apply(self, stmt: Select[Any], span_filter: SpanFilter) -> Select[Any]:
        """``stmt`` filtered, grouped and ordered by the grouping columns."""
        stmt = stmt.where(*span_filter.clauses())
        if self.width:
            # GROUP BY positions: a JSON key bound twice would be two parameters to PostgreSQL,
            # which then cannot tell that the SELECT and GROUP BY expressions are the same.
            positions: list[ColumnElement[Any]] = [
                literal_column(str(i + 1)) for i in range(self.width)
            ]
            stmt = stmt.group_by(*positions).order_by(*positions)
        return stmt

    @property
    def width(self) -> int:
        """How many leading result columns the grouping takes."""
        return len(self.dimensions) + (self.bucket is not None)

    def split(self, row: Sequence[Any]) -> tuple[tuple[Any, ...], datetime | None, list[Any]]:
        """A result row as (group values, bucket start, the remaining values)."""
        group = tuple(row[: len(self.dimensions)])
        bucket = row[len(self.dimensions)] if self.bucket is not None else None
        return group, bucket, list(row[self.width :])
