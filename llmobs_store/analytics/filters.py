"""The span filter every analytics question shares: time range, labels and attributes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement

from llmobs_store.analytics.dimensions import (
    ATTRIBUTE_PREFIX,
    METADATA_PREFIX,
    TENANT_KEY,
    dimension_expression,
)
from llmobs_store.db.spans import Span
from llmobs_store.db.types import as_utc

# One value or several (matched with IN).
Values = str | tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class SpanFilter:
    """Which spans a question looks at; every field left ``None`` matches everything.

    ``since`` is inclusive and ``until`` exclusive, both on ``start_time``. Label fields take one
    value or a tuple of values. ``attributes`` and ``metadata`` match top-level JSON keys by
    their text value (``{"feature": "search"}``).

    >>> SpanFilter(since=datetime(2026, 1, 1, tzinfo=UTC), model=("gpt-4o", "gpt-4o-mini"))
    ... # doctest: +SKIP
    """

    since: datetime | None = None
    until: datetime | None = None
    service: Values = None
    model: Values = None
    provider: Values = None
    span_type: Values = None
    status: Values = None
    user: Values = None
    session: Values = None
    tenant: Values = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    metadata: Mapping[str, str] = field(default_factory=dict)

    def with_range(self, since: datetime | None, until: datetime | None) -> SpanFilter:
        """The same filter over another time range."""
        return replace(self, since=since, until=until)

    def clauses(self) -> list[ColumnElement[bool]]:
        """WHERE clauses over ``spans`` (bound parameters only)."""
        clauses: list[ColumnElement[bool]] = []
        if self.since is not None:
            clauses.append(Span.start_time >= as_utc(self.since))
        if self.until is not None:
            clauses.append(Span.start_time < as_utc(self.until))
        for dimension, values in (
            ("service", self.service),
            ("model", self.model),
            ("provider", self.provider),
            ("span_type", self.span_type),
            ("status", self.status),
            ("user", self.user),
            ("session", self.session),
            (TENANT_KEY, self.tenant),
        ):
            if values is not None:
                clauses.append(_match(dimension_expression(dimension), values))
        for key, value in self.attributes.items():
            clauses.append(dimension_expression(ATTRIBUTE_PREFIX + key) == str(value))
        for key, value in self.metadata.items():
            clauses.append(dimension_expression(METADATA_PREFIX + key) == str(value))
        return clauses


def _match(column: ColumnElement[Any], values: str | tuple[str, ...]) -> ColumnElement[bool]:
    if isinstance(values, str):
        return column == values
    return column.in_(values)
