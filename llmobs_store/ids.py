"""W3C trace-context ids: 32 (trace) and 16 (span) lowercase hex characters, never all zeros."""

from __future__ import annotations

import re
import secrets

TRACE_ID_PATTERN = "^[0-9a-f]{32}$"
SPAN_ID_PATTERN = "^[0-9a-f]{16}$"
_TRACE_ID = re.compile(TRACE_ID_PATTERN)
_SPAN_ID = re.compile(SPAN_ID_PATTERN)
_ZERO_TRACE_ID = "0" * 32
_ZERO_SPAN_ID = "0" * 16


def new_trace_id() -> str:
    """A random, valid trace id."""
    while True:
        value = secrets.token_hex(16)
        if value != _ZERO_TRACE_ID:
            return value


def new_span_id() -> str:
    """A random, valid span id."""
    while True:
        value = secrets.token_hex(8)
        if value != _ZERO_SPAN_ID:
            return value


def is_trace_id(value: object) -> bool:
    """True for 32 lowercase hex characters that are not all zeros."""
    return isinstance(value, str) and bool(_TRACE_ID.match(value)) and value != _ZERO_TRACE_ID


def is_span_id(value: object) -> bool:
    """True for 16 lowercase hex characters that are not all zeros."""
    return isinstance(value, str) and bool(_SPAN_ID.match(value)) and value != _ZERO_SPAN_ID
