"""The column path (decode straight to columns) stores exactly what the record path stores."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from llmobs_store.errors import IngestRejected
from llmobs_store.ingest.arrow_tables import to_arrow, write_schema
from llmobs_store.ingest.content_policy import ContentPolicy
from llmobs_store.ingest.otlp import encode_spans
from llmobs_store.ingest.override_rates import PriceOverride
from llmobs_store.ingest.pricing import Pricer
from llmobs_store.ingest.records import RawSpan, SpanEvent, SpanLink
from llmobs_store.ingest.redactors import RegexRedactor
from llmobs_store.ingest.span_columns import COLUMNS
from llmobs_store.ingest.trace_requests import prepare_in_process, prepare_request
from tests.fixture_files import OTLP_FIXTURES

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
SECRET = "mail bob@example.com, key sk-proj-abc123def456ghi789jkl, card 4111 1111 1111 1111"
POLICIES = {
    "default": ContentPolicy(),
    "capture off": ContentPolicy(capture=False),
    "short, extra pattern": ContentPolicy(max_chars=40, redactor=RegexRedactor([r"ACME-\d+"])),
}
OVERRIDE = PriceOverride(
    id=7,
    model="gpt-4o-mini",
    provider=None,
    effective_from=T0 - timedelta(days=1),
    input_usd_per_mtok=1.0,
    output_usd_per_mtok=2.0,
)


def _span(n: int, attributes: dict[str, Any], **fields: Any) -> RawSpan:
    return RawSpan(
        trace_id=TRACE,
        span_id=f"{n:016x}",
        name=fields.pop("name", f"span {n}"),
        start_time=T0 + timedelta(milliseconds=n),
        end_time=T0 + timedelta(milliseconds=n, seconds=1, microseconds=7),
        attributes=attributes,
        resource_attributes={"service.name": "svc", "deployment.environment": "test"},
        **fields,
    )


# Spans covering every branch of normalisation, pricing and protection.
SPANS = [
    _span(
        1,
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.usage.input_tokens": 120,
            "gen_ai.usage.output_tokens": 30,
            "gen_ai.usage.cache_read.input_tokens": 20,
            "gen_ai.input.messages": f'[{{"role": "user", "parts": [{{"type": "text", '
            f'"content": "{SECRET} ACME-1234"}}]}}]',
            "gen_ai.output.messages": [{"role": "assistant", "parts": [{"content": "ok"}]}],
            "metadata": '{"env": "prod"}',
            "traceloop.association.properties.user_id": "u-1",
        },
        kind="client",
        status="ok",
    ),
    _span(
        2,
        {
            "openinference.span.kind": "LLM",
            "llm.model_name": "claude-3-5-sonnet-20241022",
            "llm.provider": "anthropic",
            "llm.token_count.prompt": 900,
            "llm.token_count.completion": 40,
            "llm.input_messages.0.message.role": "user",
            "llm.input_messages.0.message.content": SECRET,
            "output.value": "fine",
            "llm.cost.total": 0.5,
            "session.id": 42,
        },
        parent_span_id="00000000000000aa",
        events=(SpanEvent("gen_ai.first_token", T0 + timedelta(milliseconds=250)),),
    ),
    _span(
        3,
        {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.call.arguments": {"q": SECRET}},
        status="error",
        status_message="failed for bob@example.com",
        events=(
            SpanEvent(
                "exception",
                T0,
                {
                    "exception.type": "ValueError",
                    "exception.message": "bad key sk-ab12cd34ef56gh78ij90",
                },
            ),
            SpanEvent("gen_ai.choice", T0, {"message": SECRET}),
        ),
        links=(SpanLink("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", {"x": 1}),),
    ),
    _span(
        4, {"llm.model": "unknown-model-xyz", "llm.usage.prompt_tokens": "12", "tag.tags": ["a"]}
    ),
    _span(
        5, {"retrieval.documents.0.document.content": SECRET, "huge": 2**70, "nan": float("nan")}
    ),
    _span(6, {}, name="llm.call", kind="server"),
]


def _both_paths(body: bytes, media: str, pricer: Pricer, policy: ContentPolicy) -> tuple[Any, Any]:
    records = prepare_request(body, media, pricer, policy)
    columns = prepare_in_process(body, media, pricer, policy)
    assert columns.num_rejected == records.num_rejected
    assert columns.rejection_message == records.rejection_message
    return to_arrow("spans", records.spans), columns.spans


def test_the_row_tuple_covers_the_spans_table() -> None:
    assert sorted(COLUMNS) == sorted(write_schema("spans").names)


@pytest.mark.parametrize("policy_name", POLICIES)
@pytest.mark.parametrize("overrides", [(), (OVERRIDE,)], ids=["bundled prices", "override"])
def test_crafted_spans_give_the_same_table(
    policy_name: str, overrides: tuple[PriceOverride, ...]
) -> None:
    by_records, by_columns = _both_paths(
        encode_spans(SPANS), PROTOBUF, Pricer(overrides), POLICIES[policy_name]
    )
    assert by_columns.num_rows == len(SPANS)
    for name in by_records.column_names:
        assert by_columns[name].equals(by_records[name]), name


@pytest.mark.parametrize(
    "name",
    [
        "traces_genai_protobuf.bin",
        "traces_openinference_protobuf.bin",
        "traces_genai_gzip.bin",
        "traces_genai_canonical.json",
    ],
)
def test_fixture_requests_give_the_same_table(name: str) -> None:
    body = (OTLP_FIXTURES / name).read_bytes()
    if name.endswith("gzip.bin"):
        body = gzip.decompress(body)
    media = JSON if name.endswith(".json") else PROTOBUF
    by_records, by_columns = _both_paths(body, media, Pricer(), ContentPolicy())
    assert by_columns.num_rows > 0 and by_columns.equals(by_records)


def test_invalid_spans_are_rejected_alike() -> None:
    good = encode_spans(SPANS[:2])
    bad = encode_spans([_span(9, {}), _span(10, {})]).replace(bytes.fromhex(f"{9:016x}"), bytes(8))
    for body in (bad, good):
        _both_paths(body, PROTOBUF, Pricer(), ContentPolicy())
    prepared = prepare_in_process(bad, PROTOBUF, Pricer(), ContentPolicy())
    assert prepared.num_rejected == 1 and prepared.spans is not None
    assert prepared.rejection_message == "1 span rejected: span_id must not be all zeros"


def test_a_request_without_spans_has_no_table() -> None:
    prepared = prepare_in_process(b"", PROTOBUF, Pricer(), ContentPolicy())
    assert prepared.spans is None and prepared.num_rejected == 0


def test_undecodable_bodies_are_rejected() -> None:
    with pytest.raises(IngestRejected):
        prepare_in_process(encode_spans(SPANS)[:50], PROTOBUF, Pricer(), ContentPolicy())
