"""``prepare_spans``: normalise, price and protect each span; one bad span never sinks a batch."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from llmobs_store.ids import new_span_id, new_trace_id
from llmobs_store.ingest.content_keys import CONTENT_DROPPED
from llmobs_store.ingest.content_policy import ContentPolicy
from llmobs_store.ingest.pipeline import PreparedSpans, RejectedSpan, prepare_spans
from llmobs_store.ingest.pricing import Pricer
from llmobs_store.ingest.records import RawSpan
from llmobs_store.store import Store
from tests.factories import make_raw_chat_span

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def chat_span(span_id: str, prompt: str, *, trace_id: str = TRACE_ID) -> RawSpan:
    messages = [{"role": "user", "parts": [{"type": "text", "content": prompt}]}]
    return make_raw_chat_span(
        "gpt-4o-mini",
        trace_id=trace_id,
        span_id=span_id,
        input_tokens=1_000_000,
        output_tokens=1_000_000,
        attributes={
            "gen_ai.provider.name": "openai",
            "gen_ai.input.messages": json.dumps(messages),
        },
    )


class ExplodingRedactor:
    """A user-supplied redactor with a bug that shows on one input."""

    def redact(self, text: str) -> str:
        if "boom" in text:
            raise RuntimeError("redactor bug")
        return text.replace("secret", "[REDACTED]")


def test_spans_are_normalised_priced_and_protected() -> None:
    prepared = prepare_spans([chat_span("00f067aa0ba90201", "mail bob@x.io")], Pricer())
    (record,) = prepared.records
    assert record.model == "gpt-4o-mini"
    # gpt-4o-mini: $0.15 per million input tokens and $0.60 per million output tokens.
    assert record.cost_usd == pytest.approx(0.75)
    assert record.input_text == "user: mail [EMAIL]"
    assert "bob@x.io" not in record.attributes["gen_ai.input.messages"]
    assert prepared.rejected == []


def test_the_policy_passed_in_is_applied() -> None:
    raws = [chat_span("00f067aa0ba90201", "a secret")]
    on = prepare_spans(raws, Pricer(), ContentPolicy(redactor=ExplodingRedactor()))
    assert on.records[0].input_text == "user: a [REDACTED]"
    off = prepare_spans(raws, Pricer(), ContentPolicy(capture=False))
    assert off.records[0].input_text is None
    assert off.records[0].attributes[CONTENT_DROPPED] is True
    assert off.records[0].cost_usd == pytest.approx(0.75)


def test_a_failing_span_is_rejected_alone(caplog: pytest.LogCaptureFixture) -> None:
    raws = [
        chat_span("00f067aa0ba90201", "fine"),
        chat_span("00f067aa0ba90202", "boom"),
        chat_span("00f067aa0ba90203", "also fine"),
    ]
    policy = ContentPolicy(redactor=ExplodingRedactor())
    with caplog.at_level(logging.ERROR, logger="llmobs_store.ingest.pipeline"):
        prepared = prepare_spans(raws, Pricer(), policy)
    assert [r.span_id for r in prepared.records] == ["00f067aa0ba90201", "00f067aa0ba90203"]
    assert prepared.rejected == [
        RejectedSpan(TRACE_ID, "00f067aa0ba90202", "RuntimeError: redactor bug")
    ]
    assert prepared.num_rejected == 1
    assert caplog.messages == [f"span 00f067aa0ba90202 of trace {TRACE_ID} rejected"]


def test_prepared_spans_iterate_over_their_records() -> None:
    prepared = prepare_spans([chat_span("00f067aa0ba90201", "x")], Pricer())
    assert isinstance(prepared, PreparedSpans)
    assert len(prepared) == 1
    assert list(prepared) == prepared.records


def test_store_submit_spans_stores_the_good_spans(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    # The store's own policy never fails; a span that cannot even be normalised stands in.
    trace_id = new_trace_id()
    good = chat_span(new_span_id(), "mail bob@x.io", trace_id=trace_id)
    bad = RawSpan(
        trace_id=trace_id,
        span_id=new_span_id(),
        name="broken",
        start_time=T0,
        end_time=T0,
        resource_attributes=None,  # type: ignore[arg-type]  # a decoder bug, say
    )
    with caplog.at_level(logging.ERROR, logger="llmobs_store.ingest.pipeline"):
        store.submit_spans([good, bad]).result(10)
    with store.connect() as conn:
        rows = conn.execute(text("SELECT span_id, input_text FROM spans")).all()
    assert [tuple(r) for r in rows] == [(good.span_id, "user: mail [EMAIL]")]
    assert len(caplog.records) == 1
