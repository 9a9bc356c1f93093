"""Prompt and answer text from every content convention, rendered as a conversation."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from llmobs_store.ingest.content import extract_input_text, extract_output_text, render_messages
from llmobs_store.ingest.records import SpanEvent

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

SEMCONV_INPUT = [
    {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
    {"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]},
    {
        "role": "assistant",
        "parts": [
            {
                "type": "tool_call",
                "id": "call_1",
                "name": "get_weather",
                "arguments": {"city": "Paris"},
            }
        ],
    },
    {
        "role": "tool",
        "parts": [{"type": "tool_call_response", "id": "call_1", "response": "rainy, 12°C"}],
    },
]
SEMCONV_INPUT_TEXT = (
    "system: Be brief.\n"
    "user: Weather in Paris?\n"
    'assistant: tool_call get_weather({"city": "Paris"})\n'
    "tool: rainy, 12°C"
)
SEMCONV_OUTPUT = [
    {"role": "assistant", "parts": [{"type": "text", "content": "Rainy."}], "finish_reason": "stop"}
]


def _input(attributes: dict[str, Any], *events: SpanEvent) -> str | None:
    return extract_input_text(attributes, events)


def _output(attributes: dict[str, Any], *events: SpanEvent) -> str | None:
    return extract_output_text(attributes, events)


@pytest.mark.parametrize("encode", [json.dumps, lambda value: value], ids=["json", "structured"])
def test_semconv_messages(encode: Any) -> None:
    attributes = {
        "gen_ai.input.messages": encode(SEMCONV_INPUT),
        "gen_ai.output.messages": encode(SEMCONV_OUTPUT),
    }
    assert _input(attributes) == SEMCONV_INPUT_TEXT
    assert _output(attributes) == "assistant: Rainy."


@pytest.mark.parametrize(
    "instructions",
    [
        "Answer in French.",
        [{"type": "text", "content": "Answer in French."}],
        json.dumps([{"type": "text", "content": "Answer in French."}]),
    ],
)
def test_system_instructions_come_first(instructions: Any) -> None:
    attributes = {
        "gen_ai.system_instructions": instructions,
        "gen_ai.input.messages": json.dumps(
            [{"role": "user", "parts": [{"type": "text", "content": "Hi"}]}]
        ),
    }
    assert _input(attributes) == "system: Answer in French.\nuser: Hi"
    assert _input({"gen_ai.system_instructions": instructions}) == "system: Answer in French."


def test_semconv_multimodal_and_reasoning_parts() -> None:
    messages = [
        {
            "role": "user",
            "parts": [
                {"type": "text", "content": "What is in this picture?"},
                {
                    "type": "blob",
                    "modality": "image",
                    "mime_type": "image/png",
                    "content": "iVBORw0KGgo=",
                },
                {"type": "uri", "modality": "image", "uri": "https://example.com/a.png"},
            ],
        },
        {"role": "assistant", "parts": [{"type": "reasoning", "content": "Looks like a cat."}]},
    ]
    assert _input({"gen_ai.input.messages": messages}) == (
        "user: What is in this picture?\n[blob image/png]\n[uri image]\n"
        "assistant: Looks like a cat."
    )


def test_unparseable_json_is_kept_as_sent() -> None:
    truncated = '[{"role": "user", "parts": [{"type": "text", "content": "Hel'
    assert _input({"gen_ai.input.messages": truncated}) == truncated
    assert render_messages('{"not": "messages"}') == '{"not": "messages"}'
    assert render_messages([1, 2]) == "[1, 2]"
    assert render_messages("plain words") == "plain words"


def test_openai_chat_shape_with_tool_calls() -> None:
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "Weather?"}]},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "wx", "arguments": '{"q": 1}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
    ]
    assert (
        render_messages(messages)
        == 'user: Weather?\nassistant: tool_call wx({"q": 1})\ntool: sunny'
    )


def test_openinference_flattened_messages() -> None:
    attributes = {
        "llm.input_messages.0.message.role": "system",
        "llm.input_messages.0.message.content": "Be terse.",
        "llm.input_messages.1.message.role": "user",
        "llm.input_messages.1.message.contents.0.message_content.type": "text",
        "llm.input_messages.1.message.contents.0.message_content.text": "Describe this:",
        "llm.input_messages.1.message.contents.1.message_content.type": "image",
        "llm.input_messages.1.message.contents.1.message_content.image.image.url": "data:...",
        "llm.input_messages.10.message.role": "user",
        "llm.input_messages.10.message.content": "tenth",
        "llm.output_messages.0.message.role": "assistant",
        "llm.output_messages.0.message.tool_calls.0.tool_call.id": "call_1",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "lookup",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"id": 7}',
        "input.value": "raw request",
        "output.value": "raw response",
    }
    assert _input(attributes) == "system: Be terse.\nuser: Describe this:\n[image]\nuser: tenth"
    assert _output(attributes) == 'assistant: tool_call lookup({"id": 7})'


def test_input_and_output_value() -> None:
    assert _input({"input.value": "What is 2+2?"}) == "What is 2+2?"
    assert _output({"output.value": "4"}) == "4"
    assert _output({"output.value": '{"result": 4}'}) == '{"result": 4}'
    request = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
    assert _input({"input.value": json.dumps(request)}) == "user: Hi"
    response = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello"}}]}
    assert _output({"output.value": json.dumps(response)}) == "assistant: Hello"


def test_openllmetry_indexed_prompts_and_completions() -> None:
    attributes = {
        "gen_ai.prompt.0.role": "system",
        "gen_ai.prompt.0.content": "Be brief.",
        "gen_ai.prompt.1.role": "user",
        "gen_ai.prompt.1.content": json.dumps([{"type": "text", "text": "Hi there"}]),
        "gen_ai.completion.0.role": "assistant",
        "gen_ai.completion.0.content": "Hello!",
        "gen_ai.completion.0.finish_reason": "stop",
        "gen_ai.completion.1.role": "assistant",
        "gen_ai.completion.1.tool_calls.0.name": "search",
        "gen_ai.completion.1.tool_calls.0.arguments": '{"q": "x"}',
    }
    assert _input(attributes) == "system: Be brief.\nuser: Hi there"
    assert _output(attributes) == 'assistant: Hello!\nassistant: tool_call search({"q": "x"})'


def test_deprecated_prompt_and_completion_attributes() -> None:
    attributes = {"gen_ai.prompt": "Summarise this.", "gen_ai.completion": "Summary."}
    assert (_input(attributes), _output(attributes)) == ("Summarise this.", "Summary.")
    as_json = {"gen_ai.prompt": json.dumps([{"role": "user", "content": "Hi"}])}
    assert _input(as_json) == "user: Hi"


def test_legacy_content_events() -> None:
    prompt = SpanEvent("gen_ai.content.prompt", T0, {"gen_ai.prompt": "Question?"})
    completion = SpanEvent("gen_ai.content.completion", T0, {"gen_ai.completion": "Answer."})
    assert _input({}, prompt, completion) == "Question?"
    assert _output({}, prompt, completion) == "Answer."


def test_per_message_events() -> None:
    events = [
        SpanEvent("gen_ai.system.message", T0, {"content": "Be brief."}),
        SpanEvent("gen_ai.user.message", T0, {"content": "Weather?"}),
        SpanEvent(
            "gen_ai.assistant.message",
            T0,
            {"tool_calls": [{"id": "c", "function": {"name": "wx", "arguments": "{}"}}]},
        ),
        SpanEvent("gen_ai.tool.message", T0, {"content": "sunny", "id": "c"}),
        SpanEvent(
            "gen_ai.choice",
            T0,
            {"index": 0, "finish_reason": "stop", "message": {"content": "Sunny."}},
        ),
        SpanEvent("gen_ai.choice", T0, {"index": 1, "message": '{"content": "Also sunny."}'}),
    ]
    assert _input({}, *events) == (
        "system: Be brief.\nuser: Weather?\nassistant: tool_call wx({})\ntool: sunny"
    )
    assert _output({}, *events) == "assistant: Sunny.\nassistant: Also sunny."


def test_tool_and_retrieval_attributes() -> None:
    tool = {"gen_ai.tool.call.arguments": '{"city": "Paris"}', "gen_ai.tool.call.result": "12°C"}
    assert (_input(tool), _output(tool)) == ('{"city": "Paris"}', "12°C")
    assert _input({"gen_ai.retrieval.query.text": "capital of France"}) == "capital of France"


@pytest.mark.parametrize(
    ("input_key", "output_key"), [("llm.prompt", "llm.response"), ("llm.input", "llm.output")]
)
def test_seed_sdk_content(input_key: str, output_key: str) -> None:
    attributes = {input_key: "Hello?", output_key: "Hi."}
    assert (_input(attributes), _output(attributes)) == ("Hello?", "Hi.")


def test_first_source_wins_and_seed_comes_last() -> None:
    attributes = {
        "llm.prompt": "seed",
        "gen_ai.prompt": "deprecated",
        "gen_ai.prompt.0.role": "user",
        "gen_ai.prompt.0.content": "indexed",
        "input.value": "value",
        "llm.input_messages.0.message.role": "user",
        "llm.input_messages.0.message.content": "flattened",
        "gen_ai.input.messages": json.dumps(
            [{"role": "user", "parts": [{"type": "text", "content": "semconv"}]}]
        ),
    }
    expected = ["user: semconv", "user: flattened", "value", "user: indexed", "deprecated", "seed"]
    keys = list(attributes)
    for text in expected:
        assert _input(attributes) == text
        # Drop the winning source and the next one takes over.
        winner = {
            "user: semconv": ["gen_ai.input.messages"],
            "user: flattened": [k for k in keys if k.startswith("llm.input_messages.")],
            "value": ["input.value"],
            "user: indexed": [k for k in keys if k.startswith("gen_ai.prompt.")],
            "deprecated": ["gen_ai.prompt"],
            "seed": ["llm.prompt"],
        }[text]
        attributes = {k: v for k, v in attributes.items() if k not in winner}
    assert _input(attributes) is None


def test_empty_sources_are_skipped() -> None:
    assert _input({"gen_ai.input.messages": "[]", "input.value": "fallback"}) == "fallback"
    assert _output({"gen_ai.output.messages": [], "output.value": ""}) is None
    assert _input({}) is None and _output({}) is None


def test_long_text_is_stored_whole_and_deterministically() -> None:
    long_text = "word " * 20_000
    messages = [{"role": "user", "parts": [{"type": "text", "content": long_text}]}]
    first = _input({"gen_ai.input.messages": json.dumps(messages)})
    assert first == f"user: {long_text}"
    assert _input({"gen_ai.input.messages": messages}) == first


def test_openinference_message_with_only_contents() -> None:
    attributes = {
        "llm.input_messages.0.message.contents.0.message_content.type": "text",
        "llm.input_messages.0.message.contents.0.message_content.text": "No role given",
    }
    assert _input(attributes) == "unknown: No role given"


def test_inference_details_event() -> None:
    details = SpanEvent(
        "gen_ai.client.inference.operation.details",
        T0,
        {
            "gen_ai.system_instructions": [{"type": "text", "content": "Be brief."}],
            "gen_ai.input.messages": [
                {"role": "user", "parts": [{"type": "text", "content": "Hi"}]}
            ],
            "gen_ai.output.messages": [
                {"role": "assistant", "parts": [{"type": "text", "content": "Hello"}]}
            ],
        },
    )
    assert _input({}, details) == "system: Be brief.\nuser: Hi"
    assert _output({}, details) == "assistant: Hello"
