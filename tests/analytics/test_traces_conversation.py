"""split_messages: stored prompt and answer text back into messages, roles and tool calls."""

from __future__ import annotations

from llmobs_store.analytics.conversation import Message, MessagePart, split_messages
from llmobs_store.ingest.content import render_messages


def test_messages_rendered_at_ingest_split_back() -> None:
    stored = render_messages(
        [
            {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
            {"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?\nToday."}]},
            {
                "role": "assistant",
                "parts": [
                    {"type": "text", "content": "Let me check."},
                    {"type": "tool_call", "name": "weather", "arguments": {"city": "Paris"}},
                ],
            },
            {"role": "tool", "parts": [{"type": "tool_call_response", "response": "sunny"}]},
        ]
    )
    assert split_messages(stored) == [
        Message("system", (MessagePart("text", "Be brief."),)),
        Message("user", (MessagePart("text", "Weather in Paris?\nToday."),)),
        Message(
            "assistant",
            (
                MessagePart("text", "Let me check."),
                MessagePart("tool_call", 'weather({"city": "Paris"})'),
            ),
        ),
        Message("tool", (MessagePart("text", "sunny"),)),
    ]


def test_openai_tool_calls_without_text() -> None:
    stored = render_messages(
        [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"function": {"name": "lookup", "arguments": '{"q": 1}'}}],
            }
        ]
    )
    assert split_messages(stored) == [
        Message("assistant", (MessagePart("tool_call", 'lookup({"q": 1})'),))
    ]


def test_plain_text_is_one_message_without_a_role() -> None:
    assert split_messages("just a question\nover two lines") == [
        Message(None, (MessagePart("text", "just a question\nover two lines"),))
    ]
    assert split_messages("") == [] and split_messages(None) == []


def test_markup_stays_text() -> None:
    payload = "user: <script>alert(1)</script>"
    assert split_messages(payload) == [
        Message("user", (MessagePart("text", "<script>alert(1)</script>"),))
    ]
