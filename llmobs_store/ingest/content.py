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


def extract_input_text(a: Mapping[str, Any], events: Sequence[SpanEvent]) -> str | None:
    """The prompt of a span as readable text, or None when the producer captured none.

    Sources in STANDARDS §3.3 order, first that yields text wins: semconv
    ``gen_ai.system_instructions`` + ``gen_ai.input.messages``, OpenInference
    ``llm.input_messages.*``, ``input.value``, OpenLLMetry ``gen_ai.prompt.N.*``, the deprecated
    ``gen_ai.prompt`` attribute, prompt events, then the seed SDK's ``llm.prompt`` / ``llm.input``.
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
    parsed = _parse_json(value) if isinstance(value, str) else value
    if isinstance(parsed, dict):
        parsed = _body_messages(parsed)
    if isinstance(parsed, list) and parsed and all(_is_message(m) for m in parsed):
        return "\n".join(line for m in parsed if (line := _render_message(m)))
    return _as_text(value)


def _is_message(m: Any) -> bool:
    return isinstance(m, dict) and ("role" in m or "parts" in m)


def _body_messages(body: dict[str, Any]) -> Any:
    """The messages of an OpenAI-style request or response body, else ``[body]``."""
    if isinstance(body.get("messages"), list):
        return body["messages"]
    choices = body.get("choices")
    if isinstance(choices, list) and all(isinstance(c, dict) for c in choices):
        return [c.get("message") or c.get("delta") for c in choices]
    return [body]


def _render_message(message: Mapping[str, Any]) -> str:
    role = message.get("role") or "unknown"
    pieces: list[str] = []
    if "parts" in message:
        pieces.append(_render_content(message["parts"]))
    if "content" in message:
        pieces.append(_render_content(message["content"]))
    for call in message.get("tool_calls") or ():
        if isinstance(call, Mapping):
            pieces.append(_render_tool_call(call))
    body = "\n".join(p for p in pieces if p)
    return f"{role}: {body}" if body else ""


def _render_content(content: Any) -> str:
    """Text of a message's content: a string, one part, or a list of parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        # OpenLLMetry stores multimodal content as a JSON list of parts in a string.
        if content.startswith("[{"):
            parsed = _parse_json(content)
            if isinstance(parsed, list) and all(isinstance(p, dict) for p in parsed):
                return _render_content(parsed)
        return content
    if isinstance(content, Mapping):
        return _render_part(content)
    if isinstance(content, list):
        return "\n".join(t for p in content if (t := _render_content(p)))
    return _as_text(content)


def _render_part(part: Mapping[str, Any]) -> str:
    kind = part.get("type")
    if kind == "tool_call" or "function" in part:
        return _render_tool_call(part)
    if kind == "tool_call_response":
        return _as_text(part.get("response", part.get("result")))
    for key in ("content", "text"):
        if isinstance(part.get(key), str):
            return str(part[key])
    if kind in ("blob", "uri", "file", "image_url", "image", "input_audio"):
        # Never inline base64 payloads: say what was there.
        detail = part.get("mime_type") or part.get("modality") or part.get("uri") or ""
        return f"[{kind}{' ' + str(detail) if detail else ''}]"
    return _as_text(part)


def _render_tool_call(call: Mapping[str, Any]) -> str:
    function = call.get("function")
    if isinstance(function, Mapping):  # OpenAI shape: {"function": {"name", "arguments"}}
        call = function
    arguments = call.get("arguments", "")
    return f"tool_call {call.get('name', '')}({_as_text(arguments)})"


def _render_system(value: Any) -> str:
    if isinstance(value, str):
        parsed = _parse_json(value)
        value = value if parsed is None else parsed
    text = _render_content(value)
    return f"system: {text}" if text else ""


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _parse_json(text: str) -> Any:
    """The parsed value of a JSON array/object string, else None (plain text stays text)."""
    stripped = text.lstrip()
    if not stripped.startswith(("[", "{")):
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None


# --- indexed and flattened attribute forms -----------------------------------------------


def _indexed_messages(a: Mapping[str, Any], prefix: str, probes: tuple[str, ...]) -> str:
    """Messages flattened as ``<prefix><i>.<field…>`` keys, rebuilt and rendered.

    Only scans the keys when one of the ``probes`` (index-0 keys) is present, so spans without
    this form pay a couple of dict lookups.
    """
    if not any(prefix + probe in a for probe in probes):
        return ""
    messages: dict[int, dict[str, Any]] = {}
    plen = len(prefix)
    for key, value in a.items():
        if not key.startswith(prefix):
            continue
        index, _, field = key[plen:].partition(".")
        if not index.isdigit():
            continue
        _set_path(messages.setdefault(int(index), {}), field.split("."), value)
    return render_messages([_oi_message(messages[i]) for i in sorted(messages)])


def _set_path(target: dict[str, Any], path: list[str], value: Any) -> None:
    for step in path[:-1]:
        nxt = target.get(step)
        if not isinstance(nxt, dict):
            nxt = target[step] = {}
        target = nxt
    target[path[-1]] = value


def _oi_message(fields: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI-shaped message from OpenInference (``message.…``) or OpenLLMetry fields."""
    m = fields.get("message", fields)
    message: dict[str, Any] = {"role": m.get("role"), "content": m.get("content")}
    contents = m.get("contents")
    if isinstance(contents, dict):  # contents.{j}.message_content.{type,text,image…}
        parts = [contents[j].get("message_content", contents[j]) for j in _sorted_index(contents)]
        message["content"] = [message["content"], *parts] if message["content"] else parts
    calls = m.get("tool_calls")
    if isinstance(calls, dict):  # tool_calls.{k}.tool_call.function.{name,arguments}
        found = [calls[k].get("tool_call", calls[k]) for k in _sorted_index(calls)]
        message["tool_calls"] = [c for c in found if isinstance(c, dict)]
    return message


def _sorted_index(d: dict[str, Any]) -> list[str]:
    return sorted((k for k in d if k.isdigit() and isinstance(d[k], dict)), key=int)


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
        elif event.name in _MESSAGE_EVENT_ROLES:
            lines.append(_event_message(event, _MESSAGE_EVENT_ROLES[event.name]))
    return "\n".join(line for line in lines if line)


def _completion_events(_a: Mapping[str, Any], events: Sequence[SpanEvent]) -> str:
    lines = []
    for event in events:
        if event.name == "gen_ai.content.completion":
            lines.append(render_messages(event.attributes.get("gen_ai.completion")))
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
_INPUT_SOURCES: tuple[_Source, ...] = (
    _indexed("llm.input_messages.", "0.message.role", "0.message.content", "0.message.contents.0"),
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
    _indexed("llm.output_messages.", "0.message.role", "0.message.content", "0.message.contents.0"),
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
