"""The frame every OTLP decoder shares: body → request message, and the result with rejections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from google.protobuf.message import DecodeError, Message  # type: ignore[import-untyped]

from llmobs_store.errors import IngestRejected, UnsupportedMediaType
from llmobs_store.ingest.otlp_json import parse_json
from llmobs_store.ingest.records import LogRecord, RequestSampleRecord

T = TypeVar("T")
M = TypeVar("M", bound=Message)

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
_MAX_REASONS = 3


@dataclass(frozen=True, slots=True)
class Decoded(Generic[T]):
    """The records decoded from one request, and how many items were rejected and why.

    >>> decoded = decode_traces(body, "application/x-protobuf")  # doctest: +SKIP
    >>> decoded.items, decoded.num_rejected, decoded.rejection_message  # doctest: +SKIP
    ([RawSpan(...), ...], 1, '1 span rejected: span_id must be 8 bytes (got 3)')
    """

    items: list[T]
    num_rejected: int = 0
    rejection_message: str | None = None


@dataclass(frozen=True, slots=True)
class DecodedLogs:
    """Log records and request samples (``llmobs.request_sample`` events) of one request."""

    logs: list[LogRecord]
    request_samples: list[RequestSampleRecord]
    num_rejected: int = 0
    rejection_message: str | None = None


@dataclass(slots=True)
class Rejections:
    """Counts rejected items and keeps the first few distinct reasons, for one message."""

    noun: str
    count: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, reason: str) -> None:
        self.count += 1
        if reason not in self.reasons:
            self.reasons.append(reason)

    def message(self) -> str | None:
        """E.g. "2 spans rejected: span_id must be 8 bytes (got 3)"; None when none were."""
        if not self.count:
            return None
        noun = self.noun if self.count == 1 else f"{self.noun}s"
        shown = "; ".join(self.reasons[:_MAX_REASONS])
        more = len(self.reasons) - _MAX_REASONS
        suffix = f"; and {more} other reason{'s' if more > 1 else ''}" if more > 0 else ""
        return f"{self.count} {noun} rejected: {shown}{suffix}"


def parse_request(body: bytes, media_type: str, message_class: type[M]) -> M:
    """``body`` as ``message_class`` (protobuf or OTLP/JSON per ``media_type``), else raise."""
    if media_type == PROTOBUF:
        try:
            message: M = message_class.FromString(body)
        except DecodeError as exc:
            raise IngestRejected(f"request body is not a valid protobuf message: {exc}") from exc
        return message
    if media_type == JSON:
        return parse_json(body, message_class)
    raise UnsupportedMediaType(
        f"Content-Type {media_type or '(none)'!r} is not supported (use {PROTOBUF} or {JSON})"
    )
