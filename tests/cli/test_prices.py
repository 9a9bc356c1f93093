"""``llmobs prices`` list, set and recompute on both backends, with exact output."""

from __future__ import annotations

from datetime import UTC, datetime

from click.testing import CliRunner
from sqlalchemy import text

from llmobs_store.cli import main
from llmobs_store.config import Settings
from llmobs_store.ingest.records import RawSpan
from llmobs_store.store import Store
from tests.factories import make_raw_chat_span

JAN = datetime(2026, 1, 10, tzinfo=UTC)
MAR = datetime(2026, 3, 10, tzinfo=UTC)


def llm_span(model: str, start: datetime) -> RawSpan:
    return make_raw_chat_span(model, start=start, input_tokens=1_000_000, output_tokens=500_000)


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, ["prices", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_list_is_empty_at_first(database_url: str) -> None:
    assert invoke("list", "--db", database_url) == (
        "no price overrides (add one with `llmobs prices set`)\n"
    )


def test_set_then_list(database_url: str) -> None:
    assert invoke(
        "set", "acme-llm-7b", "--input", "0.4", "--output", "1.2", "--db", database_url
    ) == (
        "added override 1: acme-llm-7b at $0.4 input / $1.2 output per million tokens, "
        "for every span\n"
        "run `llmobs prices recompute` to re-price spans already stored\n"
    )
    output = invoke(
        "set",
        "gpt-4o-mini",
        "--input",
        "0.12",
        "--output",
        "0.48",
        "--cache-read",
        "0.06",
        "--provider",
        "openai",
        "--from",
        "2026-02-01",
        "--note",
        "negotiated rate",
        "--db",
        database_url,
    )
    assert output.splitlines()[0] == (
        "added override 2: gpt-4o-mini (openai only) at $0.12 input / $0.48 output per million "
        "tokens, for spans from 2026-02-01 00:00:00 UTC"
    )
    assert invoke("list", "--db", database_url) == (
        "USD per million tokens; an empty cache price means the input price.\n"
        "id  model        provider  from                     input  output  cache_read"
        "  cache_write  note\n"
        "--  -----------  --------  -----------------------  -----  ------  ----------"
        "  -----------  ---------------\n"
        "1   acme-llm-7b  any       1970-01-01 00:00:00 UTC  0.4    1.2\n"
        "2   gpt-4o-mini  openai    2026-02-01 00:00:00 UTC  0.12   0.48    0.06"
        "                     negotiated rate\n"
        "(2 rows)\n"
    )


def test_set_rejects_a_negative_price(database_url: str) -> None:
    result = CliRunner().invoke(
        main, ["prices", "set", "m", "--input", "-1", "--output", "1", "--db", database_url]
    )
    assert result.exit_code == 2
    assert "Invalid value for '--input': -1.0 is not in the range x>=0." in result.output


def test_recompute_prices_stored_spans(database_url: str, settings: Settings) -> None:
    with Store.open(database_url, settings=settings) as store:
        store.submit_spans([llm_span("acme-llm-7b", JAN), llm_span("acme-llm-7b", MAR)]).result(10)
        store.submit_spans([llm_span("gpt-4o-mini", MAR)]).result(10)
    assert invoke("recompute", "--db", database_url) == (
        "re-priced 0 of 3 spans; cost changed by +0.000000 USD\n"
    )
    invoke("set", "acme-llm-7b", "--input", "1", "--output", "2", "--db", database_url)
    # 1 M input at $1 and 0.5 M output at $2: $2 per span.
    assert invoke("recompute", "--since", "2026-02-01", "--db", database_url) == (
        "re-priced 1 of 2 spans; cost changed by +2.000000 USD\n"
    )
    assert invoke("recompute", "--db", database_url) == (
        "re-priced 1 of 3 spans; cost changed by +2.000000 USD\n"
    )
    assert invoke("recompute", "--db", database_url) == (
        "re-priced 0 of 3 spans; cost changed by +0.000000 USD\n"
    )
    with Store.open(database_url, settings=settings) as store, store.connect() as conn:
        unpriced = conn.execute(text("SELECT sum(num_unpriced) FROM traces")).scalar_one()
        costs = conn.execute(text("SELECT cost_usd FROM spans WHERE model = 'acme-llm-7b'"))
        assert [r.cost_usd for r in costs] == [2.0, 2.0]
    assert unpriced == 0
