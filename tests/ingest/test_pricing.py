"""Span cost: the bundled genai-prices figures, the per-token rate cache, and overrides."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import genai_prices
import pytest
from genai_prices import Usage, calc_price
from sqlalchemy import insert

from llmobs_store.db.models import ModelPrice
from llmobs_store.ingest.override_rates import PriceOverride, load_overrides
from llmobs_store.ingest.pipeline import prepare_spans
from llmobs_store.ingest.pricing import Pricer
from llmobs_store.ingest.records import SpanRecord
from llmobs_store.store import Store
from tests.ingest.test_normalisation import load_raw_spans

T0 = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
SOURCE = f"genai-prices {genai_prices.__version__}"


def span(**columns: Any) -> SpanRecord:
    columns.setdefault("start_time", T0)
    return SpanRecord(
        trace_id="4bf92f3577b34da6a3ce929d0e0e4736",
        span_id="00f067aa0ba90203",
        name="chat",
        end_time=columns["start_time"] + timedelta(seconds=1),
        **columns,
    )


GPT_4O_MINI = span(
    provider="openai",
    model="gpt-4o-mini-2024-07-18",
    request_model="gpt-4o-mini",
    response_model="gpt-4o-mini-2024-07-18",
    input_tokens=1200,
    output_tokens=85,
    cache_read_tokens=1024,
)
CLAUDE = span(
    provider="anthropic",
    model="claude-3-5-sonnet-20241022",
    input_tokens=2100,
    output_tokens=150,
    cache_read_tokens=1800,
    cache_write_tokens=200,
)


def assert_priced(result: tuple[float | None, str | None], cost: float, source: str) -> None:
    assert result[0] == pytest.approx(cost, rel=1e-9)
    assert result[1] == source


# --- bundled genai-prices data ------------------------------------------------------------


def test_verified_figures() -> None:
    pricer = Pricer()
    cost, source = pricer.price(GPT_4O_MINI)
    assert cost == pytest.approx(0.0001542, rel=1e-9)
    assert source == SOURCE == "genai-prices 0.2.3"
    cost, source = pricer.price(CLAUDE)
    assert cost == pytest.approx(0.00384, rel=1e-9)
    assert source == SOURCE


def test_verified_figures_through_the_pipeline() -> None:
    records = {
        r.span_id: r for r in prepare_spans(load_raw_spans("traces_genai_protobuf"), Pricer())
    }
    assert records["00f067aa0ba90203"].cost_usd == pytest.approx(0.0001542, rel=1e-9)
    assert records["00f067aa0ba90204"].cost_usd == pytest.approx(0.00384, rel=1e-9)
    assert records["00f067aa0ba90204"].cost_source == SOURCE
    failed = records["00f067aa0ba90206"]  # rate-limited call: no tokens, so no cost, not $0
    assert (failed.cost_usd, failed.cost_source) == (None, None)
    assert records["00f067aa0ba90201"].cost_usd is None


def test_openinference_spans_are_priced() -> None:
    records = prepare_spans(load_raw_spans("traces_openinference_protobuf"), Pricer())
    costs = {r.span_id: r.cost_usd for r in records}
    # 42 in (16 cached) / 9 out, and 30 / 5 uncached, at gpt-4o-mini's $0.15 / $0.075 / $0.60.
    assert costs["ee655b0fb3e137c1"] == pytest.approx((26 * 0.15 + 16 * 0.075 + 9 * 0.6) / 1e6)
    assert costs["fad24594e9c56ed8"] == pytest.approx((30 * 0.15 + 5 * 0.6) / 1e6)
    assert costs["ca8eb446a5ccecb6"] is None


@pytest.mark.parametrize(
    "columns",
    [
        {"model": "no-such-model-anywhere", "provider": "openai"},
        {"model": "no-such-model-anywhere", "provider": None},
        {"model": None},
    ],
)
def test_unknown_model_is_unpriced(columns: dict[str, Any]) -> None:
    assert Pricer().price(span(input_tokens=100, output_tokens=10, **columns)) == (None, None)


@pytest.mark.parametrize(
    "tokens",
    [{}, {"total_tokens": 120}, {"cache_read_tokens": 10}],
)
def test_spans_without_input_or_output_tokens_are_unpriced(tokens: dict[str, int]) -> None:
    assert Pricer().price(span(model="gpt-4o-mini", **tokens)) == (None, None)


def test_output_only_and_input_only_spans_are_priced() -> None:
    pricer = Pricer()
    assert pricer.price(span(model="gpt-4o-mini", output_tokens=1000))[0] == pytest.approx(0.0006)
    assert pricer.price(span(model="gpt-4o-mini", input_tokens=1000))[0] == pytest.approx(0.00015)


def test_cache_counts_beyond_input_are_unpriced() -> None:
    inconsistent = span(model="gpt-4o-mini", input_tokens=10, output_tokens=5, cache_read_tokens=50)
    assert Pricer().price(inconsistent) == (None, None)


def test_request_model_is_tried_when_the_response_model_is_unknown() -> None:
    fine_tuned = span(
        model="acme-house-model-7",
        response_model="acme-house-model-7",
        request_model="gpt-4o-mini",
        input_tokens=1000,
        output_tokens=100,
    )
    assert Pricer().price(fine_tuned)[0] == pytest.approx((1000 * 0.15 + 100 * 0.6) / 1e6)


@pytest.mark.parametrize(
    ("provider", "model"),
    [
        ("gcp.gemini", "gemini-2.5-pro"),
        ("gcp.vertex_ai", "gemini-1.5-pro-002"),
        ("aws.bedrock", "amazon.nova-pro-v1:0"),
        ("mistral_ai", "mistral-large-latest"),
        ("azure.ai.openai", "gpt-4o"),
        ("x_ai", "grok-3"),
        ("ibm.watsonx.ai", "gpt-4o"),  # a provider genai-prices lacks: matched on the model
    ],
)
def test_our_provider_names_are_understood(provider: str, model: str) -> None:
    cost, source = Pricer().price(span(provider=provider, model=model, input_tokens=1000))
    assert cost is not None and cost > 0 and source == SOURCE


def test_reasoning_tokens_are_not_double_counted() -> None:
    pricer = Pricer()
    base = {"model": "gpt-4o-mini", "input_tokens": 100, "output_tokens": 1000}
    # No separate reasoning price: reasoning is just part of the output.
    assert pricer.price(span(**base, reasoning_tokens=400)) == pricer.price(span(**base))
    # sonar-deep-research prices reasoning at $3/M against $8/M output (and $2/M input).
    deep = {**base, "model": "sonar-deep-research", "provider": "perplexity"}
    cost = pricer.price(span(**deep, reasoning_tokens=400))[0]
    assert cost == pytest.approx((100 * 2 + 600 * 8 + 400 * 3) / 1e6, rel=1e-9)
    # More reasoning than output means they were counted apart: both are billed.
    apart = span(**{**deep, "output_tokens": 10}, reasoning_tokens=400)
    assert pricer.price(apart)[0] == pytest.approx((100 * 2 + 10 * 8 + 400 * 3) / 1e6, rel=1e-9)


MODELS = [
    ("openai", "gpt-4o-mini-2024-07-18"),
    ("openai", "gpt-4o-2024-08-06"),
    ("anthropic", "claude-sonnet-4-5-20250929"),
    ("anthropic", "claude-haiku-4-5-20251001"),
    ("gcp.gemini", "gemini-2.5-pro"),  # tiered: a dearer rate above 200k input tokens
    ("groq", "llama-3.3-70b-versatile"),
    ("perplexity", "sonar"),  # a per-request price on top of tokens
    ("perplexity", "sonar-deep-research"),
]


@pytest.mark.parametrize(("provider", "model"), MODELS)
def test_cached_rates_equal_calc_price(provider: str, model: str) -> None:
    rng = random.Random(model)
    pricer = Pricer()
    provider_id = {"gcp.gemini": "google"}.get(provider, provider)
    for i in range(40):
        input_tokens = rng.choice([rng.randint(1, 5000), rng.randint(150_000, 400_000)])
        output_tokens = rng.randint(1, 2000)
        usage = {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_read_tokens": rng.randint(0, input_tokens // 2),
            "cache_write_tokens": rng.randint(0, input_tokens // 4),
            "output_reasoning_tokens": rng.randint(0, output_tokens),
        }
        start = datetime(2025, 3, 1, tzinfo=UTC) + timedelta(days=7 * i)
        expected = calc_price(
            Usage(**usage), model, provider_id=provider_id, genai_request_timestamp=start
        ).total_price
        cost, _ = pricer.price(
            span(
                provider=provider,
                model=model,
                start_time=start,
                input_tokens=usage["input_tokens"],
                output_tokens=usage["output_tokens"],
                cache_read_tokens=usage["cache_read_tokens"],
                cache_write_tokens=usage["cache_write_tokens"],
                reasoning_tokens=usage["output_reasoning_tokens"],
            )
        )
        assert cost == pytest.approx(float(expected), rel=1e-9)


# --- overrides ----------------------------------------------------------------------------


def override(id: int, effective_from: datetime, **columns: Any) -> PriceOverride:
    columns.setdefault("model", "gpt-4o-mini-2024-07-18")
    columns.setdefault("provider", None)
    columns.setdefault("input_usd_per_mtok", 1.0)
    columns.setdefault("output_usd_per_mtok", 2.0)
    return PriceOverride(id=id, effective_from=effective_from, **columns)


def test_newest_override_in_effect_wins() -> None:
    pricer = Pricer(
        [
            override(1, T0 - timedelta(days=30), input_usd_per_mtok=10.0),
            override(2, T0 - timedelta(days=1), input_usd_per_mtok=20.0),
            override(3, T0 + timedelta(seconds=1), input_usd_per_mtok=40.0),  # not yet
        ]
    )
    plain = span(model="gpt-4o-mini-2024-07-18", input_tokens=1000, output_tokens=500)
    assert_priced(pricer.price(plain), (1000 * 20 + 500 * 2) / 1e6, "override 2")
    later = span(
        model="gpt-4o-mini-2024-07-18", start_time=T0 + timedelta(days=1), input_tokens=1000
    )
    assert_priced(pricer.price(later), 1000 * 40 / 1e6, "override 3")
    earlier = span(
        model="gpt-4o-mini-2024-07-18", start_time=T0 - timedelta(days=60), input_tokens=1000
    )
    assert_priced(pricer.price(earlier), 0.00015, SOURCE)


def test_override_starts_exactly_at_effective_from() -> None:
    pricer = Pricer([override(7, T0)])
    assert pricer.price(span(model="gpt-4o-mini-2024-07-18", input_tokens=1))[1] == "override 7"


def test_override_provider_must_match_when_set() -> None:
    pricer = Pricer(
        [
            override(1, T0 - timedelta(days=2), provider=None, input_usd_per_mtok=1.0),
            override(2, T0 - timedelta(days=1), provider="azure.ai.openai", input_usd_per_mtok=3.0),
        ]
    )
    tokens = {"model": "gpt-4o-mini-2024-07-18", "input_tokens": 1_000_000}
    assert pricer.price(span(provider="azure.ai.openai", **tokens)) == (3.0, "override 2")
    assert pricer.price(span(provider="openai", **tokens)) == (1.0, "override 1")
    assert pricer.price(span(**tokens)) == (1.0, "override 1")


def test_provider_specific_override_wins_a_tie() -> None:
    pricer = Pricer(
        [
            override(1, T0, provider="openai", input_usd_per_mtok=5.0),
            override(2, T0, provider=None, input_usd_per_mtok=9.0),
        ]
    )
    one_m = {"model": "gpt-4o-mini-2024-07-18", "input_tokens": 1_000_000}
    assert pricer.price(span(provider="openai", **one_m)) == (5.0, "override 1")


def test_override_cache_rates_and_input_rate_fallback() -> None:
    tokens = {
        "model": "claude-3-5-sonnet-20241022",
        "input_tokens": 2100,
        "cache_read_tokens": 1800,
        "cache_write_tokens": 200,
        "output_tokens": 150,
    }
    priced = override(
        4,
        T0,
        model="claude-3-5-sonnet-20241022",
        input_usd_per_mtok=3.0,
        output_usd_per_mtok=15.0,
        cache_read_usd_per_mtok=0.3,
        cache_write_usd_per_mtok=3.75,
    )
    cost, source = Pricer([priced]).price(span(**tokens))
    assert cost == pytest.approx(0.00384, rel=1e-9) and source == "override 4"
    fallback = override(5, T0, model="claude-3-5-sonnet-20241022", input_usd_per_mtok=3.0)
    cost, _ = Pricer([fallback]).price(span(**tokens))
    assert cost == pytest.approx((2100 * 3.0 + 150 * 2.0) / 1e6, rel=1e-9)


def test_override_prices_a_model_genai_prices_lacks() -> None:
    pricer = Pricer([override(9, T0 - timedelta(days=1), model="acme-house-model-7")])
    house = span(model="acme-house-model-7", input_tokens=1000, output_tokens=1000)
    assert_priced(pricer.price(house), 0.003, "override 9")
    assert pricer.price(span(model="acme-house-model-7")) == (None, None)


def test_override_applies_to_the_request_model_too() -> None:
    pricer = Pricer([override(3, T0 - timedelta(days=1), model="gpt-4o-mini")])
    record = span(
        model="gpt-4o-mini-2024-07-18",
        response_model="gpt-4o-mini-2024-07-18",
        request_model="gpt-4o-mini",
        input_tokens=1_000_000,
    )
    assert pricer.price(record) == (1.0, "override 3")


def test_naive_times_are_read_as_utc() -> None:
    pricer = Pricer([override(1, datetime(2025, 1, 1))])
    naive = span(model="gpt-4o-mini-2024-07-18", start_time=datetime(2025, 1, 2), input_tokens=1)
    assert pricer.price(naive)[1] == "override 1"


def test_load_overrides(store: Store) -> None:
    created = datetime(2025, 1, 1, tzinfo=UTC)
    rows: list[dict[str, Any]] = [
        {
            "model": "gpt-4o-mini-2024-07-18",
            "provider": None,
            "effective_from": T0 - timedelta(days=10),
            "input_usd_per_mtok": 0.5,
            "output_usd_per_mtok": 1.5,
            "cache_read_usd_per_mtok": None,
            "cache_write_usd_per_mtok": None,
            "note": "negotiated rate",
            "created_at": created,
        },
        {
            "model": "gpt-4o-mini-2024-07-18",
            "provider": "openai",
            "effective_from": T0 - timedelta(days=1),
            "input_usd_per_mtok": 0.25,
            "output_usd_per_mtok": 1.0,
            "cache_read_usd_per_mtok": 0.1,
            "cache_write_usd_per_mtok": 0.3,
            "note": None,
            "created_at": created,
        },
    ]
    with store.engine.begin() as conn:
        conn.execute(insert(ModelPrice), rows)
    with store.connect() as conn:
        overrides = load_overrides(conn)
    assert [(o.model, o.provider, o.input_usd_per_mtok) for o in overrides] == [
        ("gpt-4o-mini-2024-07-18", None, 0.5),
        ("gpt-4o-mini-2024-07-18", "openai", 0.25),
    ]
    assert overrides[0].effective_from == T0 - timedelta(days=10)
    assert overrides[1].cache_read_usd_per_mtok == 0.1
    assert overrides[0].cache_write_usd_per_mtok is None
    assert len({o.id for o in overrides}) == 2
    pricer = Pricer(overrides)
    expected = (176 * 0.25 + 1024 * 0.1 + 85 * 1.0) / 1e6
    assert_priced(pricer.price(GPT_4O_MINI), expected, f"override {overrides[1].id}")
    azure = span(model="gpt-4o-mini-2024-07-18", provider="azure.ai.openai", input_tokens=1000)
    assert_priced(pricer.price(azure), 0.0005, f"override {overrides[0].id}")


def test_load_overrides_of_an_empty_table(store: Store) -> None:
    with store.connect() as conn:
        assert load_overrides(conn) == []
