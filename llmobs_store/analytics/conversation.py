"""A span's stored prompt or answer text split back into messages with roles and tool calls."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Ingest renders every content convention as ``role: text`` lines (ingest/content.py), with
# tool calls as ``tool_call name(arguments)`` lines; these are the roles producers send.
_ROLE_LINE = re.compile(
    r"^(system|developer|user|human|assistant|ai|model|tool|function|ipython|unknown): ?(.*)$",
    re.IGNORECASE,
)
_TOOL_CALL = "tool_call "


@dataclass(frozen=True, slots=True)
class MessagePart:
    """A piece of a message: ``text``, or a ``tool_call`` written as ``name(arguments)``."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Message:
    """One message; ``role`` is None for text that was not stored as messages."""

    role: str | None
    parts: tuple[MessagePart, ...]


def split_messages(text: str | None) -> list[Message]:
    """The messages of a stored ``input_text`` / ``output_text`` (empty for no text).

    Text that does not start with a role line (a plain ``input.value``, a tool's arguments)
    is one message without a role.
    """
    if not text:
        return []
    role: str | None = None
    lines: list[str] = []
    found: list[Message] = []
    for line in text.split("\n"):
        match = _ROLE_LINE.match(line)
        if match:
            if lines or role is not None:
                found.append(_message(role, lines))
            role, lines = match.group(1).lower(), [match.group(2)]
        else:
            lines.append(line)
    found.append(_message(role, lines))
    return found


def _message(role: str | None, lines: list[str]) -> Message:
    parts: list[MessagePart] = []
    text: list[str] = []
    for line in lines:
        if line.startswith(_TOOL_CALL) and role is not None:
            if text:
                parts.append(MessagePart("text", "\n".join(text)))
                text = []
            parts.append(MessagePart("tool_call", line[len(_TOOL_CALL) :]))
        else:
            text.append(line)
    if text and (any(text) or not parts):
        parts.append(MessagePart("text", "\n".join(text).strip("\n")))
    return Message(role, tuple(parts))
