"""Prompt and answer privacy before anything is stored: capture switch, redaction, truncation."""

from __future__ import annotations

import dataclasses
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from llmobs_store.config import Settings
from llmobs_store.ingest.records import LogRecord, SpanRecord
from llmobs_store.ingest.redactors import Redactor, RegexRedactor, truncate

# Set on a span or log whose content was removed because capture is off, so "no prompt"
# can be told apart from "prompt dropped".
CONTENT_DROPPED = "llmobs.content_dropped"

# Attribute keys that hold prompts, answers, tool payloads or retrieved documents
# (STANDARDS §2.3 and §3.3). Only these are rewritten: scanning every attribute would cost
# time on each span and could mangle ids that merely look like secrets.
CONTENT_KEYS = frozenset(
    """
    gen_ai.input.messages gen_ai.output.messages gen_ai.system_instructions
    gen_ai.tool.definitions gen_ai.tool.call.arguments gen_ai.tool.call.result
    gen_ai.retrieval.query.text gen_ai.prompt gen_ai.completion
    gen_ai.content.prompt gen_ai.content.completion
    input.value output.value llm.prompts reranker.query
    traceloop.entity.input traceloop.entity.output
    langfuse.observation.input langfuse.observation.output
    langfuse.trace.input langfuse.trace.output
    llm.prompt llm.response llm.input llm.output
    """.split()
)
# Indexed or nested forms: OpenLLMetry, OpenInference messages, documents and templates.
CONTENT_PREFIXES = (
    "gen_ai.prompt.",
    "gen_ai.completion.",
    "llm.input_messages.",
    "llm.output_messages.",
    "llm.prompt_template.",
    "retrieval.documents.",
    "embedding.embeddings.",
    "reranker.input_documents.",
    "reranker.output_documents.",
)
# Deprecated per-message events carry their text in short keys (STANDARDS §2.3).
_MESSAGE_EVENT_KEYS = frozenset(("content", "message", "tool_calls", "gen_ai.event.content"))
_CONTENT_EVENTS = frozenset(
    "gen_ai.content.prompt gen_ai.content.completion gen_ai.choice "
    "gen_ai.client.inference.operation.details".split()
)
# What the SDK's PromptLogger writes into a log entry's attributes.
_LOG_CONTENT_KEYS = frozenset(("prompt", "response"))


@dataclass(frozen=True, slots=True)
class ContentPolicy:
    """What happens to prompt and answer content before it is stored.

    >>> policy = ContentPolicy.from_settings(Settings.from_env())       # doctest: +SKIP
    >>> protected = protect_span(record, policy)                        # doctest: +SKIP

    With ``capture`` on, content is redacted, then cut at ``max_chars``; with it off, content
    is removed and the record marked ``llmobs.content_dropped``.
    """

    capture: bool = True
    max_chars: int = 20_000
    redactor: Redactor = field(default_factory=RegexRedactor)

    @classmethod
    def from_settings(cls, settings: Settings) -> ContentPolicy:
        """The policy of ``capture_content``, ``max_content_chars`` and ``redact_patterns``."""
        return cls(
            capture=settings.capture_content,
            max_chars=settings.max_content_chars,
            redactor=RegexRedactor(settings.redact_patterns),
        )

    def protect_text(self, text: str) -> str:
        """``text`` redacted, then truncated (redacting first never leaves half a secret)."""
        return truncate(self.redactor.redact(text), self.max_chars)

    def protect_value(self, value: Any, redact: Callable[[str], str] | None = None) -> Any:
        """An attribute value with every string inside it protected; other values as they are.

        A JSON text in which something was redacted is redacted again value by value and
        re-encoded: a match next to an escape (``\\nbob@x.io``) would otherwise break the JSON.
        ``redact`` replaces the redactor's own method (a per-span memo passes itself).
        """
        redact = redact or self.redactor.redact
        kind = type(value)
        if kind is str:
            redacted = redact(value)
            if redacted != value and value[:1] in ("[", "{"):
                try:
                    parsed = _decode_json(value)
                except ValueError:
                    pass
                else:
                    redacted = json.dumps(self._redact_tree(parsed, redact), ensure_ascii=False)
            return truncate(redacted, self.max_chars)
        if kind is list or kind is tuple:
            return [self.protect_value(v, redact) for v in value]
        if kind is dict:
            return {k: self.protect_value(v, redact) for k, v in value.items()}
        if kind is int and not -(10**12) < value < 10**12:
            return self._protect_number(value, redact)
        return value

    def _redact_tree(self, value: Any, redact: Callable[[str], str]) -> Any:
        kind = type(value)
        if kind is str:
            return redact(value)
        if kind is list:
            return [self._redact_tree(v, redact) for v in value]
        if kind is dict:
            return {k: self._redact_tree(v, redact) for k, v in value.items()}
        if kind is int and not -(10**12) < value < 10**12:
            return self._protect_number(value, redact)
        return value

    def _protect_number(self, value: int, redact: Callable[[str], str]) -> int | str:
        """A card number sent as a JSON number becomes its placeholder string."""
        text = str(value)
        redacted = redact(text)
        return value if redacted == text else redacted


_decode_json = json.JSONDecoder().decode


def is_content_key(key: str) -> bool:
    """True for an attribute key that carries prompt, answer or tool content."""
    return key in CONTENT_KEYS or key.startswith(CONTENT_PREFIXES)


# Spans of one instrumentation share their attribute keys (in order): the content keys of a
# key set are found once. Bounded, as producers may send ever new keys.
_CONTENT_KEYS_BY_KEY_SET: dict[tuple[str, ...], tuple[str, ...]] = {}
_MAX_KEY_SETS = 4_096


def _content_keys(attributes: dict[str, Any]) -> tuple[str, ...]:
    key_set = tuple(attributes)
    found = _CONTENT_KEYS_BY_KEY_SET.get(key_set)
    if found is None:
        found = tuple(key for key in key_set if is_content_key(key))
        if len(_CONTENT_KEYS_BY_KEY_SET) >= _MAX_KEY_SETS:
            _CONTENT_KEYS_BY_KEY_SET.clear()
        _CONTENT_KEYS_BY_KEY_SET[key_set] = found
    return found


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
    content = _content_keys(attributes)
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


def _event_extra_keys(event_name: str) -> frozenset[str]:
    """Keys that are content in an event of this name, beyond the span content keys."""
    return _MESSAGE_EVENT_KEYS if _is_content_event(event_name) else frozenset()


def _protect_event(
    event: dict[str, Any], policy: ContentPolicy, redact: Callable[[str], str]
) -> dict[str, Any]:
    attributes = event.get("attributes")
    if not attributes:
        return event
    extra = _event_extra_keys(event.get("name") or "")
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
    extra = _event_extra_keys(event.get("name") or "")
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
    content = [k for k in attributes if k in _LOG_CONTENT_KEYS or is_content_key(k)]
    body_is_content = record.body is not None and _is_content_event(record.event_name or "")
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


def _is_content_event(name: str) -> bool:
    """GenAI events whose attributes (or log body) are the conversation itself."""
    return name in _CONTENT_EVENTS or (name.startswith("gen_ai.") and name.endswith(".message"))
