"""Prompt privacy: built-in rules, user patterns, truncation, capture off, and the stored rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from llmobs_store.config import Settings
from llmobs_store.ids import new_span_id, new_trace_id
from llmobs_store.ingest.content_keys import CONTENT_DROPPED
from llmobs_store.ingest.content_policy import ContentPolicy
from llmobs_store.ingest.normalisation import normalise_span
from llmobs_store.ingest.records import LogRecord, RawSpan, SpanEvent, SpanRecord
from llmobs_store.ingest.redaction import protect_log, protect_span
from llmobs_store.ingest.redactors import RegexRedactor, truncate
from llmobs_store.store import Store
from tests.factories import make_log, make_raw_chat_span, make_span

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
REDACTOR = RegexRedactor()
POLICY = ContentPolicy()
OFF = ContentPolicy(capture=False)


# --- built-in rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "redacted"),
    [
        ("write to bob.smith+news@example.co.uk today", "write to [EMAIL] today"),
        ("josé@exämple.com", "[EMAIL]"),
        ("key sk-proj-abcDEF1234567890abcdefghijKLMN end", "key [API_KEY] end"),
        ("sk-ant-api03-AbCdEf0123456789_xyz-QWERTYUIOPasdfAA", "[API_KEY]"),
        ("OPENAI_API_KEY=sk-abcdefghij0123456789ABCDEFGHIJ", "OPENAI_API_KEY=[API_KEY]"),
        (
            "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
            "Authorization: Bearer [REDACTED]",
        ),
        ("authorization: bearer abcdef1234==", "authorization: bearer [REDACTED]"),
        ("aws AKIAIOSFODNN7EXAMPLE and ASIAIOSFODNN7EXAMPLE", "aws [API_KEY] and [API_KEY]"),
        ("card 4111 1111 1111 1111, exp 12/27", "card [CARD], exp 12/27"),
        ("4111-1111-1111-1111", "[CARD]"),
        ("amex 378282246310005", "amex [CARD]"),
        ("mc 5555555555554444", "mc [CARD]"),
        ("4111 1111 1111 1111 2024", "[CARD] 2024"),
        ("qty 2 4111 1111 1111 1111", "qty 2 [CARD]"),
    ],
)
def test_built_in_rules_mask(original: str, redacted: str) -> None:
    assert REDACTOR.redact(original) == redacted


@pytest.mark.parametrize(
    "kept",
    [
        "task-1234 and desk-5678",
        "sk-1234",
        "use sk-learn-style-pipelines-for-this",
        "@app.route and user@localhost",
        "Bearer authentication is used; send a Bearer token",
        "ASIA PACIFIC",
        "order 4111111111111112 (Luhn-invalid)",
        "order id 1234567890123",
        "timestamp 1700000000009",  # Luhn-valid, but no card number starts with 1
        "call 555-123-4567",
        "",
    ],
)
def test_built_in_rules_keep(kept: str) -> None:
    assert REDACTOR.redact(kept) == kept


def test_redaction_is_idempotent() -> None:
    once = REDACTOR.redact("Bearer abc123def456 bob@example.com 4111111111111111")
    assert once == "Bearer [REDACTED] [EMAIL] [CARD]"
    assert REDACTOR.redact(once) == once


def test_user_patterns_become_redacted() -> None:
    redactor = RegexRedactor([r"ACME-\d{6}", r"(?i)project\s+falcon"])
    assert redactor.redact("ticket ACME-123456 on Project  Falcon by bob@example.com") == (
        "ticket [REDACTED] on [REDACTED] by [EMAIL]"
    )
    assert redactor.redact("ACME-12345 is too short") == "ACME-12345 is too short"


def test_an_invalid_user_pattern_fails_when_the_policy_is_built() -> None:
    with pytest.raises(ValueError, match=r"redact pattern '\(unclosed' is invalid"):
        ContentPolicy.from_settings(Settings(redact_patterns=("(unclosed",)))


def test_policy_from_settings() -> None:
    policy = ContentPolicy.from_settings(
        Settings(capture_content=False, max_content_chars=50, redact_patterns=("x+",))
    )
    assert (policy.capture, policy.max_chars) == (False, 50)
    assert policy.redactor.redact("axxxb") == "a[REDACTED]b"


# --- truncation ---------------------------------------------------------------------------


def test_truncation_marker_is_exact() -> None:
    assert truncate("0123456789", 10) == "0123456789"
    assert truncate("0123456789abcdef", 10) == "0123456789\u2026 (6 chars truncated)"


def test_redaction_runs_before_truncation() -> None:
    policy = ContentPolicy(max_chars=13)
    # Cut first, "bob@exa" would survive unmatched; redacted first, nothing of it does.
    assert policy.protect_text("hello bob@example.com and more") == (
        "hello [EMAIL]… (9 chars truncated)"
    )


# --- spans with capture on ----------------------------------------------------------------


SECRET = "bob@example.com"
MESSAGES = [
    {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
    {"role": "user", "parts": [{"type": "text", "content": f"Hi,\nI am {SECRET}"}]},
]


def _raw(attributes: dict[str, Any], events: tuple[SpanEvent, ...] = ()) -> RawSpan:
    return make_raw_chat_span(
        "gpt-4o", name="chat gpt-4o-mini", attributes=attributes, events=events
    )


def _protected(attributes: dict[str, Any], events: tuple[SpanEvent, ...] = ()) -> SpanRecord:
    return protect_span(normalise_span(_raw(attributes, events)), POLICY)


def test_text_columns_and_json_string_messages_are_redacted() -> None:
    record = _protected(
        {
            "gen_ai.input.messages": json.dumps(MESSAGES),
            "gen_ai.output.messages": json.dumps(
                [{"role": "assistant", "parts": [{"type": "text", "content": f"Hello {SECRET}"}]}]
            ),
        }
    )
    assert record.input_text == "system: Be brief.\nuser: Hi,\nI am [EMAIL]"
    assert record.output_text == "assistant: Hello [EMAIL]"
    # Redacted inside the JSON, which stays valid (a match after "\n" must not break it).
    messages = json.loads(record.attributes["gen_ai.input.messages"])
    assert messages[1]["parts"][0]["content"] == "Hi,\nI am [EMAIL]"
    assert messages[0] == MESSAGES[0]
    assert SECRET not in record.attributes["gen_ai.output.messages"]


def test_structured_values_are_redacted_inside() -> None:
    record = _protected(
        {
            "gen_ai.input.messages": MESSAGES,
            "gen_ai.tool.call.arguments": {"email": SECRET, "card": 4111111111111111, "n": 3},
        }
    )
    assert record.attributes["gen_ai.input.messages"][1]["parts"][0]["content"] == (
        "Hi,\nI am [EMAIL]"
    )
    assert record.attributes["gen_ai.tool.call.arguments"] == {
        "email": "[EMAIL]",
        "card": "[CARD]",
        "n": 3,
    }


@pytest.mark.parametrize(
    "key",
    [
        "gen_ai.system_instructions",
        "gen_ai.tool.call.result",
        "gen_ai.prompt",
        "gen_ai.completion",
        "gen_ai.prompt.0.content",
        "gen_ai.completion.0.content",
        "llm.input_messages.0.message.content",
        "llm.output_messages.0.message.content",
        "input.value",
        "output.value",
        "traceloop.entity.input",
        "traceloop.entity.output",
        "llm.prompt",
        "llm.response",
        "retrieval.documents.0.document.content",
    ],
)
def test_every_content_attribute_is_redacted(key: str) -> None:
    record = _protected({key: f"contact {SECRET}"})
    assert record.attributes[key] == "contact [EMAIL]"


def test_other_attributes_are_untouched() -> None:
    attributes = {
        "user.id": SECRET,  # not content: ids are kept as sent
        "gen_ai.response.id": "chatcmpl-4111111111111111",
        "metadata.note": "sk-proj-abcDEF1234567890abcdefghijKLMN",
        "gen_ai.usage.input_tokens": 4111111111111111,
    }
    record = _protected(attributes)
    assert {k: record.attributes[k] for k in attributes} == attributes
    assert record.user_id == SECRET


def test_event_content_is_redacted() -> None:
    events = (
        SpanEvent("gen_ai.content.prompt", T0, {"gen_ai.prompt": f"I am {SECRET}"}),
        SpanEvent("gen_ai.user.message", T0, {"content": f"I am {SECRET}", "role": "user"}),
        SpanEvent("gen_ai.choice", T0, {"index": 0, "message": {"content": f"Hi {SECRET}"}}),
        SpanEvent("exception", T0, {"exception.message": f"bad {SECRET}"}),
    )
    record = _protected({}, events)
    assert record.events is not None
    assert [e["attributes"] for e in record.events] == [
        {"gen_ai.prompt": "I am [EMAIL]"},
        {"content": "I am [EMAIL]", "role": "user"},
        {"index": 0, "message": {"content": "Hi [EMAIL]"}},
        {"exception.message": "bad [EMAIL]"},  # error text: redacted, never dropped
    ]
    assert record.input_text is not None and SECRET not in record.input_text


def test_long_content_is_truncated_everywhere() -> None:
    long = "x" * 30
    record = protect_span(
        normalise_span(_raw({"input.value": long, "gen_ai.tool.call.arguments": [long]})),
        ContentPolicy(max_chars=10),
    )
    cut = "xxxxxxxxxx… (20 chars truncated)"
    assert record.input_text == cut
    assert record.attributes["input.value"] == cut
    assert record.attributes["gen_ai.tool.call.arguments"] == [cut]


def test_a_span_without_content_is_returned_as_is() -> None:
    record = normalise_span(_raw({"gen_ai.usage.input_tokens": 3}))
    assert protect_span(record, POLICY) is record
    assert protect_span(record, OFF) is record


# --- spans with capture off ---------------------------------------------------------------


def test_capture_off_drops_content_everywhere_and_marks_the_span() -> None:
    events = (
        SpanEvent("gen_ai.content.prompt", T0, {"gen_ai.prompt": SECRET}),
        SpanEvent("gen_ai.choice", T0, {"index": 0, "message": {"content": SECRET}}),
        SpanEvent("gen_ai.first_token", T0, {"note": "kept"}),
    )
    raw = _raw(
        {
            "gen_ai.input.messages": json.dumps(MESSAGES),
            "llm.input_messages.0.message.content": SECRET,
            "llm.input_messages.0.message.role": "user",
            "input.value": SECRET,
            "gen_ai.usage.input_tokens": 12,
        },
        events,
    )
    record = protect_span(normalise_span(raw), OFF)
    assert (record.input_text, record.output_text) == (None, None)
    assert record.attributes == {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 12,
        CONTENT_DROPPED: True,
    }
    assert record.events is not None
    assert [(e["name"], e["attributes"]) for e in record.events] == [
        ("gen_ai.content.prompt", {}),
        ("gen_ai.choice", {"index": 0}),
        ("gen_ai.first_token", {"note": "kept"}),
    ]
    assert record.input_tokens == 12


def test_capture_off_drops_text_columns_set_by_hand() -> None:
    record = protect_span(make_span(input_text=SECRET, output_text=SECRET), OFF)
    assert (record.input_text, record.output_text) == (None, None)
    assert record.attributes == {CONTENT_DROPPED: True}


# --- log records --------------------------------------------------------------------------


def test_prompt_logger_entries_are_redacted() -> None:
    log = make_log(
        f"LLM prompt for {SECRET}",
        attributes={"prompt": f"I am {SECRET}", "response": [SECRET], "step": SECRET},
        error_message="denied for Bearer abc123def456",
    )
    protected = protect_log(log, POLICY)
    assert protected.message == "LLM prompt for [EMAIL]"
    assert protected.error_message == "denied for Bearer [REDACTED]"
    assert protected.attributes == {
        "prompt": "I am [EMAIL]",
        "response": ["[EMAIL]"],
        "step": SECRET,
    }


def test_capture_off_drops_log_content_but_keeps_the_message() -> None:
    log = make_log(f"LLM prompt for {SECRET}", attributes={"prompt": SECRET, "step": 2})
    protected = protect_log(log, OFF)
    assert protected.message == "LLM prompt for [EMAIL]"
    assert protected.attributes == {"step": 2, CONTENT_DROPPED: True}
    assert protect_log(make_log("plain"), OFF) == make_log("plain")


def test_genai_event_logs_have_their_body_protected() -> None:
    log = LogRecord(
        time=T0,
        level="info",
        message="",
        event_name="gen_ai.user.message",
        body={"content": f"I am {SECRET}"},
    )
    assert protect_log(log, POLICY).body == {"content": "I am [EMAIL]"}
    dropped = protect_log(log, OFF)
    assert dropped.body is None
    assert dropped.attributes == {CONTENT_DROPPED: True}


# --- end to end: nothing of the secret reaches the database ---------------------------------


SECRETS = ("bob@example.com", "sk-proj-abcDEF1234567890abcdefghijKLMN", "4111111111111111")


def _secret_span(trace_id: str) -> RawSpan:
    said = " ".join(SECRETS)
    return RawSpan(
        trace_id=trace_id,
        span_id=new_span_id(),
        name="chat gpt-4o-mini",
        start_time=T0,
        end_time=T0 + timedelta(seconds=1),
        kind="client",
        attributes={
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.usage.input_tokens": 10,
            "gen_ai.usage.output_tokens": 5,
            "gen_ai.input.messages": json.dumps(
                [{"role": "user", "parts": [{"type": "text", "content": said}]}]
            ),
            "gen_ai.output.messages": [
                {"role": "assistant", "parts": [{"type": "text", "content": said}]}
            ],
            "llm.input_messages.0.message.content": said,
            "input.value": said,
        },
        events=(SpanEvent("gen_ai.content.completion", T0, {"gen_ai.completion": said}),),
    )


def _rows_as_text(store: Store, table: str) -> list[str]:
    with store.connect() as conn:
        return [str(r[0]) for r in conn.execute(text(f"SELECT CAST(t AS TEXT) FROM {table} t"))]


def test_no_stored_column_holds_a_secret(store: Store) -> None:
    trace_id = new_trace_id()
    store.submit_spans([_secret_span(trace_id)]).result(10)
    store.write([make_log(f"prompt of {SECRETS[0]}", attributes={"prompt": " ".join(SECRETS)})])
    rows = _rows_as_text(store, "spans") + _rows_as_text(store, "logs")
    assert len(rows) == 2
    for row in rows:
        assert not [s for s in SECRETS if s in row], row
    assert "[EMAIL] [API_KEY] [CARD]" in rows[0]
    with store.connect() as conn:
        cost = conn.execute(text("SELECT cost_usd FROM spans")).scalar_one()
    assert cost is not None and cost > 0  # pricing still ran


def test_capture_off_store_keeps_no_content(database_url: str, settings: Settings) -> None:
    off = settings.replace(capture_content=False)
    with Store.open(database_url, settings=off) as store:
        store.submit_spans([_secret_span(new_trace_id())]).result(10)
        with store.connect() as conn:
            row = conn.execute(text("SELECT input_text, output_text, attributes FROM spans")).one()
        stored = _rows_as_text(store, "spans")[0]
    assert (row.input_text, row.output_text) == (None, None)
    attributes = row.attributes if isinstance(row.attributes, dict) else json.loads(row.attributes)
    assert attributes[CONTENT_DROPPED] is True
    assert not [s for s in SECRETS if s in stored]
    assert "[EMAIL]" not in stored


def test_error_text_is_redacted_but_kept_whatever_the_capture_setting() -> None:
    secret = "sk-proj-" + "a1" * 12
    events = [
        {
            "name": "exception",
            "time": "2026-01-01T12:00:00Z",
            "attributes": {
                "exception.type": "AuthenticationError",
                "exception.message": f"invalid key {secret} for bob@example.com",
                "exception.stacktrace": f"Traceback …\nAuthenticationError: invalid key {secret}",
            },
        }
    ]
    span = make_span(status="error", status_message=f"rejected {secret}", events=events)
    for policy in (POLICY, OFF):
        protected = protect_span(span, policy)
        assert protected.status_message == "rejected [API_KEY]"
        assert protected.events is not None
        attributes = protected.events[0]["attributes"]
        assert attributes["exception.message"] == "invalid key [API_KEY] for [EMAIL]"
        assert secret not in attributes["exception.stacktrace"]
        assert attributes["exception.type"] == "AuthenticationError"
