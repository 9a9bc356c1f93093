"""The canonical columns of a span (model, tokens, type, cost, TTFT…) from its attributes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from llmobs_store.ingest.attribute_values import first_count, first_number, first_str, scalar_text
from llmobs_store.ingest.content import extract_input_text, extract_output_text
from llmobs_store.ingest.key_plans import KeyPlanner
from llmobs_store.ingest.records import SpanEvent
from llmobs_store.ingest.semconv import (
    CACHE_READ_KEYS,
    CACHE_WRITE_KEYS,
    COST_PART_KEYS,
    COST_TOTAL_KEYS,
    INPUT_TOKEN_KEYS,
    METADATA_PREFIXES,
    OPERATION_BY_OPENINFERENCE,
    OPERATION_BY_REQUEST_TYPE,
    OPERATION_BY_TRACELOOP,
    OUTPUT_TOKEN_KEYS,
    PROVIDER_KEYS,
    REASONING_KEYS,
    REQUEST_MODEL_KEYS,
    RESPONSE_MODEL_KEYS,
    SERVER_TTFT_S_KEYS,
    SESSION_KEYS,
    TOTAL_TOKEN_KEYS,
    TTFT_S_KEYS,
    TYPE_BY_OPENINFERENCE,
    TYPE_BY_OPERATION,
    TYPE_BY_REQUEST_TYPE,
    TYPE_BY_TRACELOOP,
    USER_KEYS,
)


class Canonical(NamedTuple):
    """The columns normalisation derives from a span's name, status, attributes and events."""

    start_time: datetime
    span_type: str
    status_message: str | None
    error_type: str | None
    provider: str | None
    operation: str | None
    model: str | None
    request_model: str | None
    response_model: str | None
    input_tokens: int | None
    output_tokens: int | None
    total_tokens: int | None
    cache_read_tokens: int | None
    cache_write_tokens: int | None
    reasoning_tokens: int | None
    reported_cost_usd: float | None
    ttft_ms: float | None
    session_id: str | None
    user_id: str | None
    input_text: str | None
    output_text: str | None
    metadata: dict[str, Any] | None


def canonical_columns(
    name: str,
    status: str,
    status_message: str | None,
    start_time: datetime,
    a: Mapping[str, Any],
    events: Sequence[SpanEvent],
) -> Canonical:
    """The derived columns of one span, shared by the record and the column paths."""
    (
        (
            request_keys,
            response_keys,
            input_keys,
            output_keys,
            total_keys,
            error_keys,
            provider_keys,
            cache_read_keys,
            cache_write_keys,
            reasoning_keys,
            session_keys,
            user_keys,
            cost_keys,
            ttft_keys,
        ),
        metadata_keys,
    ) = _PLANNER.plan(a)
    request_model = first_str(a, request_keys) if request_keys else None
    response_model = first_str(a, response_keys) if response_keys else None
    model = response_model or request_model
    input_tokens = first_count(a, input_keys) if input_keys else None
    output_tokens = first_count(a, output_keys) if output_keys else None
    if input_tokens is not None and output_tokens is not None:
        total_tokens: int | None = input_tokens + output_tokens
    else:
        total_tokens = first_count(a, total_keys) if total_keys else None
    error_type = first_str(a, error_keys) if error_keys else None
    if status == "error" and (error_type is None or not status_message):
        exception = next((e.attributes for e in events if e.name == "exception"), None)
        if exception is not None:
            error_type = error_type or scalar_text(exception.get("exception.type"))
            status_message = status_message or scalar_text(exception.get("exception.message"))
    has_tokens = input_tokens is not None or output_tokens is not None or total_tokens is not None
    return Canonical(
        start_time,
        _span_type(a, name, model is not None and has_tokens),
        status_message,
        error_type,
        first_str(a, provider_keys) if provider_keys else None,
        _operation(a),
        model,
        request_model,
        response_model,
        input_tokens,
        output_tokens,
        total_tokens,
        first_count(a, cache_read_keys) if cache_read_keys else None,
        first_count(a, cache_write_keys) if cache_write_keys else None,
        first_count(a, reasoning_keys) if reasoning_keys else None,
        _reported_cost(a) if cost_keys else None,
        _ttft_ms(a, events, start_time) if ttft_keys or events else None,
        first_str(a, session_keys) if session_keys else None,
        first_str(a, user_keys) if user_keys else None,
        extract_input_text(a, events),
        extract_output_text(a, events),
        _metadata(a, metadata_keys),
    )


# Every key canonical_columns reads through first_*, grouped as it unpacks them.
_PLANNER = KeyPlanner(
    (
        REQUEST_MODEL_KEYS,
        RESPONSE_MODEL_KEYS,
        INPUT_TOKEN_KEYS,
        OUTPUT_TOKEN_KEYS,
        TOTAL_TOKEN_KEYS,
        ("error.type",),
        PROVIDER_KEYS,
        CACHE_READ_KEYS,
        CACHE_WRITE_KEYS,
        REASONING_KEYS,
        SESSION_KEYS,
        USER_KEYS,
        (*COST_TOTAL_KEYS, *(key for parts in COST_PART_KEYS for key in parts)),
        (*TTFT_S_KEYS, *SERVER_TTFT_S_KEYS),
    ),
    METADATA_PREFIXES,
)


def _span_type(a: Mapping[str, Any], name: str, has_model_and_tokens: bool) -> str:
    if found := _lookup(TYPE_BY_OPERATION, a.get("gen_ai.operation.name")):
        return found
    kind = a.get("openinference.span.kind")
    if isinstance(kind, str):
        return TYPE_BY_OPENINFERENCE.get(kind.upper(), "other")
    if found := _lookup(TYPE_BY_TRACELOOP, a.get("traceloop.span.kind")):
        return found
    if found := _lookup(TYPE_BY_REQUEST_TYPE, a.get("llm.request.type")):
        return found
    if has_model_and_tokens or (name.startswith("llm.") and "llm.model" in a):
        return "llm"
    return "other"


def _operation(a: Mapping[str, Any]) -> str | None:
    if op := scalar_text(a.get("gen_ai.operation.name")):
        return op
    if op := _lookup(OPERATION_BY_REQUEST_TYPE, a.get("llm.request.type")):
        return op
    kind = a.get("openinference.span.kind")
    if isinstance(kind, str) and (op := OPERATION_BY_OPENINFERENCE.get(kind.upper())):
        return op
    return _lookup(OPERATION_BY_TRACELOOP, a.get("traceloop.span.kind"))


def _lookup(table: Mapping[str, str], value: Any) -> str | None:
    """``table[value]`` for a string value (attributes may be lists, which are unhashable)."""
    return table.get(value) if isinstance(value, str) else None


def _reported_cost(a: Mapping[str, Any]) -> float | None:
    if (total := first_number(a, COST_TOTAL_KEYS)) is not None:
        return total
    for parts in COST_PART_KEYS:
        values = [v for key in parts if (v := first_number(a, (key,))) is not None]
        if values:
            return sum(values)
    return None


def _is_first_token_event(name: str) -> bool:
    """``gen_ai.first_token``, ``First Token Stream Event``, ``llm.first_token``, …"""
    folded = name.lower().replace("_", " ").replace(".", " ").replace("-", " ")
    return "first token" in folded or "first chunk" in folded


def _ttft_ms(a: Mapping[str, Any], events: Sequence[SpanEvent], start: datetime) -> float | None:
    if (seconds := first_number(a, TTFT_S_KEYS)) is not None:
        return seconds * 1000.0
    for event in events:
        if _is_first_token_event(event.name):
            try:
                ms = (event.time - start).total_seconds() * 1000.0
            except TypeError:  # one naive, one aware: no trustworthy difference
                continue
            if ms >= 0:
                return ms
    if (seconds := first_number(a, SERVER_TTFT_S_KEYS)) is not None:
        return seconds * 1000.0
    return None


def _metadata(a: Mapping[str, Any], prefixed: tuple[str, ...]) -> dict[str, Any] | None:
    """User labels as one flat object; on a clash ``metadata.<key>`` wins, then Traceloop's.

    ``prefixed`` are the keys of ``a`` under the metadata prefixes, sorted in reverse.
    """
    labels: dict[str, Any] = {}
    blob = a.get("metadata")
    if isinstance(blob, str) and blob.startswith("{"):
        try:
            blob = json.loads(blob)
        except ValueError:
            pass
    if isinstance(blob, dict):
        labels.update(blob)
    elif blob is not None:
        labels["metadata"] = blob
    tags = a.get("tag.tags")
    if tags is not None:
        labels["tags"] = tags
    # Reverse-sorted so the metadata.* keys (which sort first) are applied last and win.
    for key in prefixed:
        labels[key.removeprefix("metadata.").removeprefix(METADATA_PREFIXES[1])] = a[key]
    return labels or None
