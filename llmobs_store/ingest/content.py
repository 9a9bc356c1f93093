"""Prompt and answer text of a span, rendered as a conversation from every content convention."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from llmobs_store.ingest.records import SpanEvent

# Deprecated per-message span events (GenAI semconv ≤1.36) and the role each one stands for.
_MESSAGE_EVENT_ROLES = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}
# The opt-in semconv event carrying the same content attributes as the span (usually a log).
_DETAILS_EVENT = "gen_ai.client.inference.operation.details"
# Content part types that carry media rather than text (semconv and OpenAI spellings).
_MEDIA_PARTS = frozenset(("blob", "uri", "file", "image", "image_url", "input_audio", "audio"))


def extract_input_text(a: Mapping[str, Any], events: Sequence[SpanEvent]) -> str | None:
    """The prompt of a span as readable text, or None when the producer captured none.

    Sources in STANDARDS §3.3 order, first that yields text wins: semconv
    ``gen_ai.system_instructions`` + ``gen_ai.input.messages``, OpenInference
    ``llm.input_messages.*``, ``input.value``, OpenLLMetry ``gen_ai.prompt.N.*``, the deprecated
    ``gen_ai.prompt`` attribute, prompt and per-message events, tool arguments or retrieval
    query, then the seed SDK's ``llm.prompt`` / ``llm.input``.
    """
    system = a.get("gen_ai.system_instructions")
    messages = a.get("gen_ai.input.messages")
    if system is not None or messages is not None:
        lines = []
        if system is not None:
            lines.append(_render_system(system))
        if messages is not None:
            lines.append(render_messages(messages))
        text = "\n".join(line for line in lines if line)
        if text:
            return text
    return _first_text(a, events, _INPUT_SOURCES)


def extract_output_text(a: Mapping[str, Any], events: Sequence[SpanEvent]) -> str | None:
    """The answer of a span as readable text (same source order as ``extract_input_text``)."""
    messages = a.get("gen_ai.output.messages")
    if messages is not None and (text := render_messages(messages)):
        return text
    return _first_text(a, events, _OUTPUT_SOURCES)


def render_messages(value: Any) -> str:
    """``role: text`` lines for a message list (JSON string or structured); other values as-is.

    Understands the semconv shape (``parts`` of text / tool_call / tool_call_response / blob…),
    the OpenAI chat shape (``content`` string or parts, ``tool_calls``) and request/response
    bodies holding ``messages`` or ``choices[].message``. Anything else, including a JSON string
    that does not parse (instrumentations truncate long attributes), is returned as it came.
    """
    parsed = _parse_json(value) if type(value) is str else value
    if type(parsed) is dict:
        parsed = _body_messages(parsed)
    if type(parsed) is list:
        lines = []
        for m in parsed:
            if type(m) is not dict or ("role" not in m and "parts" not in m):
                return _as_text(value)
            if line := _render_message(m):
                lines.append(line)
        return "\n".join(lines)
    return _as_text(value)


def _body_messages(body: dict[str, Any]) -> Any:
    """The messages of an OpenAI-style request or response body, else ``[body]``."""
    if type(body.get("messages")) is list:
        return body["messages"]
    choices = body.get("choices")
    if type(choices) is list and all(type(c) is dict for c in choices):
        return [c.get("message") or c.get("delta") for c in choices]
    return [body]


def _render_message(message: dict[str, Any]) -> str:
    pieces: list[str] = []
    if "parts" in message:
        _add_content(pieces, message["parts"])
    if "content" in message:
        _add_content(pieces, message["content"])
    calls = message.get("tool_calls")
    if type(calls) is list:
        pieces.extend(_render_tool_call(c) for c in calls if type(c) is dict)
    if not pieces:
        return ""
    return f"{message.get('role') or 'unknown'}: {chr(10).join(pieces)}"


def _add_content(pieces: list[str], content: Any) -> None:
    """Append the non-empty texts of a message's content (a string, a part or a list of parts)."""
    if type(content) is str:
        # OpenLLMetry stores multimodal content as a JSON list of parts in a string.
        if content.startswith("[{"):
            parsed = _parse_json(content)
            if type(parsed) is list and all(type(p) is dict for p in parsed):
                _add_content(pieces, parsed)
                return
        if content:
            pieces.append(content)
    elif type(content) is list:
        for part in content:
            # Fast path for the common {"type": "text", "content": "…"} part.
            text = part.get("content") if type(part) is dict else None
            if type(text) is str and part.get("type", "text") == "text":
                if text:
                    pieces.append(text)
            else:
                _add_content(pieces, part)
    elif type(content) is dict:
        if text := _render_part(content):
            pieces.append(text)
    elif content is not None:
        pieces.append(_as_text(content))


def _render_part(part: dict[str, Any]) -> str:
    kind = part.get("type")
    if kind == "tool_call" or "function" in part:
        return _render_tool_call(part)
    if kind == "tool_call_response":
        return _as_text(part.get("response", part.get("result")))
    if kind in _MEDIA_PARTS:
        # Never inline base64 payloads: say what was there.
        detail = part.get("mime_type") or part.get("modality") or ""
        return f"[{kind}{' ' + str(detail) if detail else ''}]"
    for key in ("content", "text"):
        if type(part.get(key)) is str:
            return str(part[key])
    return _as_text(part)


def _render_tool_call(call: dict[str, Any]) -> str:
    function = call.get("function")
    if type(function) is dict:  # OpenAI shape: {"function": {"name", "arguments"}}
        call = function
    return f"tool_call {call.get('name', '')}({_as_text(call.get('arguments', ''))})"


def _render_system(value: Any) -> str:
    if isinstance(value, str):
        parsed = _parse_json(value)
        value = value if parsed is None else parsed
    pieces: list[str] = []
    _add_content(pieces, value)
    return f"system: {chr(10).join(pieces)}" if pieces else ""


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


_decode_json = json.JSONDecoder().decode


def _parse_json(text: str) -> Any:
    """The parsed value of a JSON array/object string, else None (plain text stays text)."""
    if not text or (text[0] not in "[{" and text.lstrip()[:1] not in ("[", "{")):
        return None
    try:
        return _decode_json(text)
    except ValueError:
        return None


# --- indexed and flattened attribute forms -----------------------------------------------


def _indexed_messages(a: Mapping[str, Any], prefix: str, probes: tuple[str, ...]) -> str:
    """Messages flattened as ``<prefix><i>.<field…>`` keys, rebuilt and rendered.

    Only scans the keys when one of the ``probes`` (index-0 keys) is present, so spans without
    this form pay a couple of dict lookups.
    """
    for probe in probes:
        if prefix + probe in a:
            break
    else:
        return ""
    messages: dict[int, dict[str, Any]] = {}
    plen = len(prefix)
    for key, value in a.items():
        if key.startswith(prefix):
            index, _, field = key[plen:].partition(".")
            if index.isdecimal():
                messages.setdefault(int(index), {})[field] = value
    lines = [line for i in sorted(messages) if (line := _render_message(_message(messages[i])))]
    return "\n".join(lines)


def _message(fields: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI-shaped message from OpenInference (``message.…``) or OpenLLMetry fields."""
    message = {
        "role": fields.get("message.role", fields.get("role")),
        "content": fields.get("message.content", fields.get("content")),
    }
    if not any("contents." in f or "tool_calls." in f for f in fields):
        return message
    tree: dict[str, Any] = {}
    for field, value in fields.items():
        _set_path(tree, field.split("."), value)
    m = tree.get("message", tree)
    contents = m.get("contents")
    if type(contents) is dict:  # contents.{j}.message_content.{type,text,image…}
        parts = [contents[j].get("message_content", contents[j]) for j in _sorted_index(contents)]
        message["content"] = [message["content"], *parts] if message["content"] else parts
    calls = m.get("tool_calls")
    if type(calls) is dict:  # tool_calls.{k}.tool_call.function.{name,arguments}
        found = [calls[k].get("tool_call", calls[k]) for k in _sorted_index(calls)]
        message["tool_calls"] = [c for c in found if type(c) is dict]
    return message


def _set_path(target: dict[str, Any], path: list[str], value: Any) -> None:
    for step in path[:-1]:
        nxt = target.get(step)
        if type(nxt) is not dict:
            nxt = target[step] = {}
        target = nxt
    target[path[-1]] = value


def _sorted_index(d: dict[str, Any]) -> list[str]:
    return sorted((k for k in d if k.isdecimal() and type(d[k]) is dict), key=int)


# --- source tables -----------------------------------------------------------------------


def _attr(key: str) -> Callable[[Mapping[str, Any], Sequence[SpanEvent]], str]:
    return lambda a, _events: render_messages(a[key]) if a.get(key) is not None else ""


def _indexed(prefix: str, *probes: str) -> Callable[[Mapping[str, Any], Sequence[SpanEvent]], str]:
    return lambda a, _events: _indexed_messages(a, prefix, probes)


def _prompt_events(_a: Mapping[str, Any], events: Sequence[SpanEvent]) -> str:
    lines = []
    for event in events:
        if event.name == "gen_ai.content.prompt":
            lines.append(render_messages(event.attributes.get("gen_ai.prompt")))
        elif event.name == _DETAILS_EVENT:
            lines.append(extract_input_text(event.attributes, ()) or "")
        elif event.name in _MESSAGE_EVENT_ROLES:
            lines.append(_event_message(event, _MESSAGE_EVENT_ROLES[event.name]))
    return "\n".join(line for line in lines if line)


def _completion_events(_a: Mapping[str, Any], events: Sequence[SpanEvent]) -> str:
    lines = []
    for event in events:
        if event.name == "gen_ai.content.completion":
            lines.append(render_messages(event.attributes.get("gen_ai.completion")))
        elif event.name == _DETAILS_EVENT:
            lines.append(extract_output_text(event.attributes, ()) or "")
        elif event.name == "gen_ai.choice":
            lines.append(_event_message(event, "assistant"))
    return "\n".join(line for line in lines if line)


def _event_message(event: SpanEvent, role: str) -> str:
    attrs = event.attributes
    message = attrs.get("message")  # gen_ai.choice carries {"content", "tool_calls"}
    if isinstance(message, str):
        message = _parse_json(message) or {"content": message}
    if not isinstance(message, dict):
        message = {"content": attrs.get("content", attrs.get("gen_ai.event.content"))}
        if "tool_calls" in attrs:
            message["tool_calls"] = attrs["tool_calls"]
    return _render_message({"role": attrs.get("role", role), **message})


_Source = Callable[[Mapping[str, Any], Sequence[SpanEvent]], str]
_OI_PROBES = (
    "0.message.role",
    "0.message.content",
    "0.message.contents.0.message_content.text",
    "0.message.contents.0.message_content.type",
)
_INPUT_SOURCES: tuple[_Source, ...] = (
    _indexed("llm.input_messages.", *_OI_PROBES),
    _attr("input.value"),
    _indexed("gen_ai.prompt.", "0.role", "0.content"),
    _attr("gen_ai.prompt"),
    _prompt_events,
    _attr("gen_ai.tool.call.arguments"),
    _attr("gen_ai.retrieval.query.text"),
    _attr("llm.prompt"),
    _attr("llm.input"),
)
_OUTPUT_SOURCES: tuple[_Source, ...] = (
    _indexed("llm.output_messages.", *_OI_PROBES),
    _attr("output.value"),
    _indexed("gen_ai.completion.", "0.role", "0.content", "0.tool_calls.0.name"),
    _attr("gen_ai.completion"),
    _completion_events,
    _attr("gen_ai.tool.call.result"),
    _attr("llm.response"),
    _attr("llm.output"),
)


def _first_text(
    a: Mapping[str, Any], events: Sequence[SpanEvent], sources: tuple[_Source, ...]
) -> str | None:
    for source in sources:
        if text := source(a, events):
            return text
    return None
