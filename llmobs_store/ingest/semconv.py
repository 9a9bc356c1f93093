"""Attribute conventions (GenAI, OpenInference, OpenLLMetry, OpenLIT, seed SDK) to span columns."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from llmobs_store.ingest.content import extract_input_text, extract_output_text
from llmobs_store.ingest.key_plans import KeyPlanner
from llmobs_store.ingest.records import RawSpan, SpanEvent, SpanLink, SpanRecord

# Candidate keys per column, first present wins (STANDARDS §3.3 and §2.6); seed SDK keys last.
PROVIDER_KEYS = ("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")
REQUEST_MODEL_KEYS = ("gen_ai.request.model", "llm.request.model_name", "llm.model")
RESPONSE_MODEL_KEYS = (
    "gen_ai.response.model",
    "llm.response.model_name",
    "llm.model_name",
    "embedding.model_name",
)
INPUT_TOKEN_KEYS = (
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.prompt_tokens",
    "llm.token_count.prompt",
    "llm.usage.prompt_tokens",
    "llm.tokens.input",
)
OUTPUT_TOKEN_KEYS = (
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.completion_tokens",
    "llm.token_count.completion",
    "llm.usage.completion_tokens",
    "llm.tokens.output",
)
TOTAL_TOKEN_KEYS = (
    "gen_ai.usage.total_tokens",
    "llm.usage.total_tokens",
    "llm.token_count.total",
    "llm.tokens.total",
)
CACHE_READ_KEYS = (
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_read_input_tokens",
    "llm.token_count.prompt_details.cache_read",
)
CACHE_WRITE_KEYS = (
    "gen_ai.usage.cache_creation.input_tokens",
    "gen_ai.usage.cache_creation_input_tokens",
    "llm.token_count.prompt_details.cache_write",
)
REASONING_KEYS = (
    "gen_ai.usage.reasoning.output_tokens",
    "gen_ai.usage.reasoning_tokens",
    "llm.token_count.completion_details.reasoning",
    "llm.usage.reasoning_tokens",
)
# Reported cost: a total first, else the sum of the parts sent (OpenInference, then seed SDK).
COST_TOTAL_KEYS = ("gen_ai.usage.cost", "llm.cost.total")
COST_PART_KEYS = (("llm.cost.prompt", "llm.cost.completion"), ("llm.cost.input", "llm.cost.output"))
SESSION_KEYS = (
    "gen_ai.conversation.id",
    "session.id",
    "traceloop.association.properties.session_id",
    "langfuse.session.id",
)
USER_KEYS = (
    "user.id",
    "gen_ai.request.user",
    "gen_ai.user",
    "llm.user",
    "traceloop.association.properties.user_id",
    "langfuse.user.id",
)
TTFT_S_KEYS = ("gen_ai.response.time_to_first_chunk",)
SERVER_TTFT_S_KEYS = ("gen_ai.server.time_to_first_token",)

# Kind hints → span_type. A hint with an unknown value falls through to the next family,
# except OpenInference, whose kinds are a closed list (GUARDRAIL, EVALUATOR… are "other").
_TYPE_BY_OPERATION = {
    "chat": "llm",
    "text_completion": "llm",
    "generate_content": "llm",
    "embeddings": "embedding",
    "retrieval": "retrieval",
    "execute_tool": "tool",
    "invoke_agent": "agent",
    "create_agent": "agent",
    "invoke_workflow": "chain",
}
_TYPE_BY_OPENINFERENCE = {
    "LLM": "llm",
    "EMBEDDING": "embedding",
    "RETRIEVER": "retrieval",
    "RERANKER": "retrieval",
    "TOOL": "tool",
    "AGENT": "agent",
    "CHAIN": "chain",
}
_TYPE_BY_TRACELOOP = {"workflow": "chain", "task": "chain", "agent": "agent", "tool": "tool"}
_TYPE_BY_REQUEST_TYPE = {
    "chat": "llm",
    "completion": "llm",
    "embedding": "embedding",
    "rerank": "retrieval",
}
# Other families' kinds → operation, spelled as gen_ai.operation.name values so one
# GROUP BY covers every producer.
_OPERATION_BY_REQUEST_TYPE = {
    "chat": "chat",
    "completion": "text_completion",
    "embedding": "embeddings",
    "rerank": "rerank",
}
_OPERATION_BY_OPENINFERENCE = {
    "LLM": "chat",
    "EMBEDDING": "embeddings",
    "RETRIEVER": "retrieval",
    "TOOL": "execute_tool",
    "AGENT": "invoke_agent",
}
_OPERATION_BY_TRACELOOP = {
    "workflow": "invoke_workflow",
    "task": "task",
    "agent": "invoke_agent",
    "tool": "execute_tool",
}
_METADATA_PREFIXES = ("metadata.", "traceloop.association.properties.")


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


def normalise_span(raw: RawSpan) -> SpanRecord:
    """The canonical columns of ``raw`` (cost is left to pricing; see ``docs/schema.md``)."""
    c = canonical_columns(
        raw.name, raw.status, raw.status_message, raw.start_time, raw.attributes, raw.events
    )
    return SpanRecord(
        trace_id=raw.trace_id,
        span_id=raw.span_id,
        parent_span_id=raw.parent_span_id,
        name=raw.name,
        start_time=raw.start_time,
        end_time=raw.end_time,
        kind=raw.kind,
        span_type=c.span_type,
        status=raw.status,
        status_message=c.status_message,
        error_type=c.error_type,
        service_name=_str(raw.resource_attributes.get("service.name")),
        scope_name=raw.scope_name,
        provider=c.provider,
        operation=c.operation,
        model=c.model,
        request_model=c.request_model,
        response_model=c.response_model,
        input_tokens=c.input_tokens,
        output_tokens=c.output_tokens,
        total_tokens=c.total_tokens,
        cache_read_tokens=c.cache_read_tokens,
        cache_write_tokens=c.cache_write_tokens,
        reasoning_tokens=c.reasoning_tokens,
        reported_cost_usd=c.reported_cost_usd,
        ttft_ms=c.ttft_ms,
        session_id=c.session_id,
        user_id=c.user_id,
        input_text=c.input_text,
        output_text=c.output_text,
        attributes=dict(raw.attributes),
        events=[event_dict(e) for e in raw.events] or None,
        links=[link_dict(link) for link in raw.links] or None,
        resource_attributes=dict(raw.resource_attributes),
        metadata=c.metadata,
    )


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
    request_model = _first_str(a, request_keys) if request_keys else None
    response_model = _first_str(a, response_keys) if response_keys else None
    model = response_model or request_model
    input_tokens = _first_count(a, input_keys) if input_keys else None
    output_tokens = _first_count(a, output_keys) if output_keys else None
    if input_tokens is not None and output_tokens is not None:
        total_tokens: int | None = input_tokens + output_tokens
    else:
        total_tokens = _first_count(a, total_keys) if total_keys else None
    error_type = _first_str(a, error_keys) if error_keys else None
    if status == "error" and (error_type is None or not status_message):
        exception = next((e.attributes for e in events if e.name == "exception"), None)
        if exception is not None:
            error_type = error_type or _str(exception.get("exception.type"))
            status_message = status_message or _str(exception.get("exception.message"))
    has_tokens = input_tokens is not None or output_tokens is not None or total_tokens is not None
    return Canonical(
        start_time,
        _span_type(a, name, model is not None and has_tokens),
        status_message,
        error_type,
        _first_str(a, provider_keys) if provider_keys else None,
        _operation(a),
        model,
        request_model,
        response_model,
        input_tokens,
        output_tokens,
        total_tokens,
        _first_count(a, cache_read_keys) if cache_read_keys else None,
        _first_count(a, cache_write_keys) if cache_write_keys else None,
        _first_count(a, reasoning_keys) if reasoning_keys else None,
        _reported_cost(a) if cost_keys else None,
        _ttft_ms(a, events, start_time) if ttft_keys or events else None,
        _first_str(a, session_keys) if session_keys else None,
        _first_str(a, user_keys) if user_keys else None,
        extract_input_text(a, events),
        extract_output_text(a, events),
        _metadata(a, metadata_keys),
    )


# Every key canonical_columns reads through _first_*, grouped as it unpacks them.
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
    _METADATA_PREFIXES,
)


def link_dict(link: SpanLink) -> dict[str, Any]:
    """A link as stored in the ``links`` JSON column."""
    return {"trace_id": link.trace_id, "span_id": link.span_id, "attributes": dict(link.attributes)}


def _span_type(a: Mapping[str, Any], name: str, has_model_and_tokens: bool) -> str:
    if found := _lookup(_TYPE_BY_OPERATION, a.get("gen_ai.operation.name")):
        return found
    kind = a.get("openinference.span.kind")
    if isinstance(kind, str):
        return _TYPE_BY_OPENINFERENCE.get(kind.upper(), "other")
    if found := _lookup(_TYPE_BY_TRACELOOP, a.get("traceloop.span.kind")):
        return found
    if found := _lookup(_TYPE_BY_REQUEST_TYPE, a.get("llm.request.type")):
        return found
    if has_model_and_tokens or (name.startswith("llm.") and "llm.model" in a):
        return "llm"
    return "other"


def _operation(a: Mapping[str, Any]) -> str | None:
    if op := _str(a.get("gen_ai.operation.name")):
        return op
    if op := _lookup(_OPERATION_BY_REQUEST_TYPE, a.get("llm.request.type")):
        return op
    kind = a.get("openinference.span.kind")
    if isinstance(kind, str) and (op := _OPERATION_BY_OPENINFERENCE.get(kind.upper())):
        return op
    return _lookup(_OPERATION_BY_TRACELOOP, a.get("traceloop.span.kind"))


def _lookup(table: Mapping[str, str], value: Any) -> str | None:
    """``table[value]`` for a string value (attributes may be lists, which are unhashable)."""
    return table.get(value) if isinstance(value, str) else None


def _str(value: Any) -> str | None:
    """Non-empty text of a scalar attribute (ids sent as ints become strings)."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _first_str(a: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = a.get(key)
        if value is not None and (text := _str(value)) is not None:
            return text
    return None


def _count(value: Any) -> int | None:
    """A token count from an int, a whole float or a numeric string; anything else is None."""
    if type(value) is int:
        return value if value >= 0 else None
    if isinstance(value, str):
        try:
            value = float(value) if "." in value or "e" in value.lower() else int(value)
        except ValueError:
            return None
        if type(value) is int:
            return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    return None


def _first_count(a: Mapping[str, Any], keys: tuple[str, ...]) -> int | None:
    for key in keys:
        value = a.get(key)
        if value is not None and (count := _count(value)) is not None:
            return count
    return None


def _number(value: Any) -> float | None:
    """A finite non-negative float from a number or numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | str):
        try:
            number = float(value)
        except ValueError:
            return None
        if math.isfinite(number) and number >= 0:
            return number
    return None


def _first_number(a: Mapping[str, Any], keys: Sequence[str]) -> float | None:
    for key in keys:
        value = a.get(key)
        if value is not None and (number := _number(value)) is not None:
            return number
    return None


def _reported_cost(a: Mapping[str, Any]) -> float | None:
    if (total := _first_number(a, COST_TOTAL_KEYS)) is not None:
        return total
    for parts in COST_PART_KEYS:
        values = [v for key in parts if (v := _first_number(a, (key,))) is not None]
        if values:
            return sum(values)
    return None


def _is_first_token_event(name: str) -> bool:
    """``gen_ai.first_token``, ``First Token Stream Event``, ``llm.first_token``, …"""
    folded = name.lower().replace("_", " ").replace(".", " ").replace("-", " ")
    return "first token" in folded or "first chunk" in folded


def _ttft_ms(a: Mapping[str, Any], events: Sequence[SpanEvent], start: datetime) -> float | None:
    if (seconds := _first_number(a, TTFT_S_KEYS)) is not None:
        return seconds * 1000.0
    for event in events:
        if _is_first_token_event(event.name):
            try:
                ms = (event.time - start).total_seconds() * 1000.0
            except TypeError:  # one naive, one aware: no trustworthy difference
                continue
            if ms >= 0:
                return ms
    if (seconds := _first_number(a, SERVER_TTFT_S_KEYS)) is not None:
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
        labels[key.removeprefix("metadata.").removeprefix(_METADATA_PREFIXES[1])] = a[key]
    return labels or None


def event_dict(event: SpanEvent) -> dict[str, Any]:
    """An event as stored in the ``events`` JSON column."""
    return {"name": event.name, "time": iso_utc(event.time), "attributes": dict(event.attributes)}


def iso_utc(moment: datetime) -> str:
    """``2025-01-15T10:00:00.260000Z``: ISO-8601 UTC with microseconds (naive = UTC)."""
    if moment.tzinfo is not UTC and moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def scalar_text(value: Any) -> str | None:
    """Non-empty text of a scalar attribute, as every text column reads it (e.g. service name)."""
    return _str(value)
