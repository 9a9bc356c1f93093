"""Prompt and answer privacy of span and log records before storage: redact, truncate, drop."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any, NamedTuple

from llmobs_store.ingest.content_keys import (
    CONTENT_DROPPED,
    LOG_CONTENT_KEYS,
    event_extra_keys,
    find_content_keys,
    is_content_event,
    is_content_key,
)
from llmobs_store.ingest.content_policy import ContentPolicy
from llmobs_store.ingest.records import LogRecord, SpanRecord
from llmobs_store.ingest.redactors import truncate


class ProtectedContent(NamedTuple):
    """The span fields content protection may change, after it."""

    status_message: str | None
    input_text: str | None
    output_text: str | None
    attributes: dict[str, Any]
    events: list[dict[str, Any]] | None


def protect_span(record: SpanRecord, policy: ContentPolicy) -> SpanRecord:
    """``record`` with its prompt and answer content protected by ``policy``.

    Covers the ``input_text``/``output_text`` columns, the content attributes and the content
    attributes of events, so the raw prompt survives nowhere in the row. Other attributes
    are left untouched.
    """
    protected = protect_content(
        record.status_message,
        record.input_text,
        record.output_text,
        record.attributes,
        record.events,
        policy,
    )
    changes = {
        name: value
        for name, value in zip(ProtectedContent._fields, protected, strict=True)
        if value is not getattr(record, name)
    }
    return _replace_span(record, changes) if changes else record


def protect_content(
    status_message: str | None,
    input_text: str | None,
    output_text: str | None,
    attributes: dict[str, Any],
    events: list[dict[str, Any]] | None,
    policy: ContentPolicy,
) -> ProtectedContent:
    """``protect_span`` on the fields themselves; unchanged fields come back as the same objects.

    The attributes dict and event dicts passed in are never modified.
    """
    status_message, events = _redact_errors(status_message, events, policy)
    if not policy.capture:
        return _drop_content(status_message, input_text, output_text, attributes, events)
    # The prompt often appears twice (``input.value`` and ``input_text``): redact it once.
    memo: dict[str, str] = {}
    redactor = policy.redactor

    def redact(text: str) -> str:
        done = memo.get(text)
        if done is None:
            done = memo[text] = redactor.redact(text)
        return done

    if input_text is not None:
        input_text = truncate(redact(input_text), policy.max_chars)
    if output_text is not None:
        output_text = truncate(redact(output_text), policy.max_chars)
    content = find_content_keys(attributes)
    if content:
        protect = policy.protect_value
        attributes = {**attributes, **{k: protect(attributes[k], redact) for k in content}}
    if events:
        events = [_protect_event(event, policy, redact) for event in events]
    return ProtectedContent(status_message, input_text, output_text, attributes, events)


_SPAN_FIELDS = tuple(f.name for f in dataclasses.fields(SpanRecord))
_SPAN_FIELD_INDEX = {name: i for i, name in enumerate(_SPAN_FIELDS)}
_span_values = operator.attrgetter(*_SPAN_FIELDS)


def _replace_span(record: SpanRecord, changes: dict[str, Any]) -> SpanRecord:
    """``dataclasses.replace`` for spans in half the time (3.6 µs instead of 6.7, measured):
    ``replace`` passes ~45 fields by keyword and looks each one up again."""
    values = list(_span_values(record))
    for name, value in changes.items():
        values[_SPAN_FIELD_INDEX[name]] = value
    return SpanRecord(*values)


def _protect_event(
    event: dict[str, Any], policy: ContentPolicy, redact: Callable[[str], str]
) -> dict[str, Any]:
    attributes = event.get("attributes")
    if not attributes:
        return event
    extra = event_extra_keys(event.get("name") or "")
    content = [k for k in attributes if k in extra or is_content_key(k)]
    if not content:
        return event
    protected = {
        k: policy.protect_value(v, redact) if k in content else v for k, v in attributes.items()
    }
    return {**event, "attributes": protected}


# Error text is diagnostics, kept whatever the capture setting, but it often quotes the input
# ("invalid API key sk-…", a prompt in a validation error): it is redacted, never dropped.
_ERROR_EVENT_KEYS = ("exception.message", "exception.stacktrace")


def _redact_errors(
    status_message: str | None, events: list[dict[str, Any]] | None, policy: ContentPolicy
) -> tuple[str | None, list[dict[str, Any]] | None]:
    redact = policy.redactor.redact
    if status_message:
        message = redact(status_message)
        if message != status_message:
            status_message = message
    if events and any(e.get("name") == "exception" for e in events):
        redacted = [_redact_exception(event, redact) for event in events]
        if any(a is not b for a, b in zip(redacted, events, strict=True)):
            events = redacted
    return status_message, events


def _redact_exception(event: dict[str, Any], redact: Any) -> dict[str, Any]:
    attributes = event.get("attributes") or {}
    if event.get("name") != "exception":
        return event
    redacted = {
        k: redact(v) if k in _ERROR_EVENT_KEYS and isinstance(v, str) else v
        for k, v in attributes.items()
    }
    if redacted == attributes:
        return event
    return {**event, "attributes": redacted}


def drop_span_content(record: SpanRecord) -> SpanRecord:
    """``record`` without its captured prompt and answer, marked so (capture switched off)."""
    dropped = _drop_content(
        record.status_message,
        record.input_text,
        record.output_text,
        record.attributes,
        record.events,
    )
    if dropped.attributes is record.attributes:
        return record
    changes = {
        "input_text": None,
        "output_text": None,
        "attributes": dropped.attributes,
        "events": dropped.events,
    }
    return _replace_span(record, changes)


def _drop_content(
    status_message: str | None,
    input_text: str | None,
    output_text: str | None,
    attributes: dict[str, Any],
    events: list[dict[str, Any]] | None,
) -> ProtectedContent:
    """The fields without captured content, marked so; the same objects when there was none."""
    dropped = input_text is not None or output_text is not None
    kept = {k: v for k, v in attributes.items() if not is_content_key(k)}
    dropped = dropped or len(kept) != len(attributes)
    original = events
    if original:
        events = [_drop_event_content(event) for event in original]
        dropped = dropped or any(a is not b for a, b in zip(events, original, strict=True))
    if not dropped:
        return ProtectedContent(status_message, input_text, output_text, attributes, original)
    kept[CONTENT_DROPPED] = True
    return ProtectedContent(status_message, None, None, kept, events)


def _drop_event_content(event: dict[str, Any]) -> dict[str, Any]:
    attributes = event.get("attributes")
    if not attributes:
        return event
    extra = event_extra_keys(event.get("name") or "")
    kept = {k: v for k, v in attributes.items() if k not in extra and not is_content_key(k)}
    if len(kept) == len(attributes):
        return event
    return {**event, "attributes": kept}


def protect_log(record: LogRecord, policy: ContentPolicy) -> LogRecord:
    """``record`` with its message redacted and its content protected by ``policy``.

    Content is what the SDK's ``PromptLogger`` writes (attributes ``prompt``/``response``),
    the span content keys (GenAI events sent as logs) and the body of a GenAI content event.
    The message, error message and any other body are log text, not content: they are
    redacted whether capture is on or off, never dropped.
    """
    redact = policy.redactor.redact
    changes: dict[str, Any] = {"message": redact(record.message)}
    if record.error_message is not None:
        changes["error_message"] = redact(record.error_message)
    attributes = record.attributes or {}
    content = [k for k in attributes if k in LOG_CONTENT_KEYS or is_content_key(k)]
    body_is_content = record.body is not None and is_content_event(record.event_name or "")
    if not policy.capture and (content or body_is_content):
        kept = {k: v for k, v in attributes.items() if k not in content}
        kept[CONTENT_DROPPED] = True
        changes["attributes"] = kept
        if body_is_content:
            changes["body"] = None
    elif content:
        changes["attributes"] = {
            k: policy.protect_value(v) if k in content else v for k, v in attributes.items()
        }
    if record.body is not None and "body" not in changes:
        changes["body"] = policy.protect_value(record.body)
    return dataclasses.replace(record, **changes)
