"""What pricing reads from a span: its fields, and the model names and time it is priced by."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class PricedSpan(Protocol):
    """What pricing reads from a span (a ``SpanRecord`` or the column path's values)."""

    @property
    def start_time(self) -> datetime: ...
    @property
    def provider(self) -> str | None: ...
    @property
    def model(self) -> str | None: ...
    @property
    def request_model(self) -> str | None: ...
    @property
    def response_model(self) -> str | None: ...
    @property
    def input_tokens(self) -> int | None: ...
    @property
    def output_tokens(self) -> int | None: ...
    @property
    def cache_read_tokens(self) -> int | None: ...
    @property
    def cache_write_tokens(self) -> int | None: ...
    @property
    def reasoning_tokens(self) -> int | None: ...


def model_names(span: PricedSpan) -> list[str]:
    """Model names to price by: the response model, then the requested one."""
    names = [n for n in (span.model, span.response_model, span.request_model) if n]
    return list(dict.fromkeys(names))


def as_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime (naive read as UTC), as ``db.types.as_utc`` does;
    repeated here so that pricing needs nothing of the database layer."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
