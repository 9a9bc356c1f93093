"""Which attribute keys and events carry prompt and answer content, found once per key set."""

from __future__ import annotations

from typing import Any

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
LOG_CONTENT_KEYS = frozenset(("prompt", "response"))


def is_content_key(key: str) -> bool:
    """True for an attribute key that carries prompt, answer or tool content."""
    return key in CONTENT_KEYS or key.startswith(CONTENT_PREFIXES)


# Spans of one instrumentation share their attribute keys (in order): the content keys of a
# key set are found once. Bounded, as producers may send ever new keys.
_CONTENT_KEYS_BY_KEY_SET: dict[tuple[str, ...], tuple[str, ...]] = {}
_MAX_KEY_SETS = 4_096


def find_content_keys(attributes: dict[str, Any]) -> tuple[str, ...]:
    """The content keys of ``attributes``, in their order (cached per key set)."""
    key_set = tuple(attributes)
    found = _CONTENT_KEYS_BY_KEY_SET.get(key_set)
    if found is None:
        found = tuple(key for key in key_set if is_content_key(key))
        if len(_CONTENT_KEYS_BY_KEY_SET) >= _MAX_KEY_SETS:
            _CONTENT_KEYS_BY_KEY_SET.clear()
        _CONTENT_KEYS_BY_KEY_SET[key_set] = found
    return found


def event_extra_keys(event_name: str) -> frozenset[str]:
    """Keys that are content in an event of this name, beyond the span content keys."""
    return _MESSAGE_EVENT_KEYS if is_content_event(event_name) else frozenset()


def is_content_event(name: str) -> bool:
    """GenAI events whose attributes (or log body) are the conversation itself."""
    return name in _CONTENT_EVENTS or (name.startswith("gen_ai.") and name.endswith(".message"))
