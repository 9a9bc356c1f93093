"""``PrometheusExposition``: exact totals of what a real store commits, in both text formats."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from typing import Any

import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families

from llmobs_store.ingest.records import MetricPointRecord, RequestSampleRecord, SpanRecord
from llmobs_store.prometheus.exposition import PrometheusExposition
from llmobs_store.prometheus.families import LATENCY_BOUNDS_S, TTFT_BOUNDS_S
from llmobs_store.store import Store
from tests.factories import T0, make_log, make_span

OPENMETRICS = "application/openmetrics-text; version=1.0.0"
GPT = {"model": "gpt-4o", "provider": "openai", "service": "svc-a"}
UNKNOWN = {"model": "", "provider": "", "service": ""}

Scrape = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _parse_openmetrics(body: bytes) -> list[Any]:
    # The strict OpenMetrics parser: it rejects a missing +Inf bucket, unsorted buckets,
    # duplicate or clashing names, which promtool lets through.
    return list(text_string_to_metric_families(body.decode()))  # type: ignore[no-untyped-call]


def _scrape(exposition: PrometheusExposition) -> Scrape:
    """Every sample of the OpenMetrics rendering, keyed by sample name and labels."""
    body, _ = exposition.render(OPENMETRICS)
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in _parse_openmetrics(body)
        for s in family.samples
    }


def _value(scrape: Scrape, name: str, labels: dict[str, str] | None = None) -> float | None:
    return scrape.get((name, frozenset((labels or {}).items())))


def _buckets(scrape: Scrape, name: str, labels: dict[str, str]) -> list[float | None]:
    """Cumulative counts of histogram ``name`` for each bound, then +Inf."""
    bounds = LATENCY_BOUNDS_S if "latency" in name else TTFT_BOUNDS_S
    return [
        _value(scrape, f"{name}_bucket", {**labels, "le": le})
        for le in [*map(repr, bounds), "+Inf"]
    ]


def _gpt_span(**columns: Any) -> SpanRecord:
    """An LLM span with the ``GPT`` labels."""
    return make_span(
        span_type="llm", model="gpt-4o", provider="openai", service_name="svc-a", **columns
    )


def _gpt_sample(**columns: Any) -> RequestSampleRecord:
    """A request sample at ``T0`` with the ``GPT`` labels."""
    return RequestSampleRecord(
        time=T0, model="gpt-4o", provider="openai", service_name="svc-a", **columns
    )


def _llm_spans() -> list[SpanRecord]:
    """Three gpt-4o calls (one failed, one unpriced), one of unknown model, one tool span."""
    return [
        _gpt_span(
            duration_ms=100,
            input_tokens=100,
            output_tokens=20,
            cache_read_tokens=30,
            reasoning_tokens=5,
            cost_usd=0.5,
            ttft_ms=50.0,
        ),
        _gpt_span(duration_ms=1_500, status="error", error_type="RateLimitError"),
        _gpt_span(duration_ms=200_000, input_tokens=10, output_tokens=2, ttft_ms=40_000.0),
        make_span(span_type="llm", duration_ms=250),
        make_span(span_type="tool", service_name="svc-a", input_tokens=999, cost_usd=9.0),
    ]


def test_llm_span_totals_are_exact(store: Store) -> None:
    exposition = PrometheusExposition(store)
    store.write(_llm_spans())

    scrape = _scrape(exposition)
    expected = {
        "llm_requests_total": 3,
        "llm_request_errors_total": 1,
        "llm_input_tokens_total": 110,
        "llm_output_tokens_total": 22,
        "llm_cache_read_tokens_total": 30,
        "llm_reasoning_tokens_total": 5,
        "llm_cost_dollars_total": 0.5,
        "llm_unpriced_requests_total": 1,
    }
    assert {name: _value(scrape, name, GPT) for name in expected} == expected
    assert _value(scrape, "llm_requests_total", UNKNOWN) == 1
    # The tool span feeds no llm_* metric, only the ingest counter.
    assert sum(v for (n, _), v in scrape.items() if n == "llm_requests_total") == 4
    assert _value(scrape, "llmobs_spans_stored_total", {"service": "svc-a"}) == 4
    assert _value(scrape, "llmobs_spans_stored_total", {"service": ""}) == 1

    # 0.1 s falls in le="0.1" (le means <=); 200 s only in +Inf.
    assert _buckets(scrape, "llm_request_latency_seconds", GPT) == [
        1,
        1,
        1,
        1,
        2,
        2,
        2,
        2,
        2,
        2,
        2,
        3,
    ]
    assert _value(scrape, "llm_request_latency_seconds_count", GPT) == 3
    assert _value(scrape, "llm_request_latency_seconds_sum", GPT) == pytest.approx(201.6)
    # The failed call has no time to first token: it is in no ttft bucket.
    assert _buckets(scrape, "llm_ttft_seconds", GPT) == [1, 1, 1, 1, 1, 1, 1, 1, 1, 2]
    assert _value(scrape, "llm_ttft_seconds_count", GPT) == 2
    assert _value(scrape, "llm_ttft_seconds_sum", GPT) == pytest.approx(40.05)


def test_redelivered_spans_are_not_counted_twice(store: Store) -> None:
    exposition = PrometheusExposition(store)
    spans = _llm_spans()
    store.write(spans)
    store.write(spans)  # an exporter retrying the whole batch
    new = _gpt_span()
    store.write([spans[0], new, new])  # repeats inside one batch as well

    scrape = _scrape(exposition)
    assert _value(scrape, "llm_requests_total", GPT) == 4
    assert _value(scrape, "llm_input_tokens_total", GPT) == 110
    assert _value(scrape, "llm_request_latency_seconds_count", GPT) == 4
    assert _value(scrape, "llmobs_spans_stored_total", {"service": "svc-a"}) == 5


def test_only_commits_after_creation_are_counted(store: Store) -> None:
    store.write(_llm_spans())
    exposition = PrometheusExposition(store)
    store.write(_llm_spans()[:1])

    assert _value(_scrape(exposition), "llm_requests_total", GPT) == 1


def test_request_samples_feed_the_recorded_metrics(store: Store) -> None:
    exposition = PrometheusExposition(store)
    store.write(
        [
            _gpt_sample(
                latency_s=0.3,
                ttft_s=0.05,
                input_tokens=100,
                output_tokens=10,
                cost_usd=0.25,
                cache_hit=True,
            ),
            _gpt_sample(latency_s=70.0, success=False, cache_hit=False),
            _gpt_sample(latency_s=2.0),
            RequestSampleRecord(time=T0, model="claude", latency_s=1.0),
        ]
    )

    scrape = _scrape(exposition)
    expected = {
        "llm_recorded_requests_total": 3,
        "llm_recorded_request_errors_total": 1,
        "llm_recorded_input_tokens_total": 100,
        "llm_recorded_output_tokens_total": 10,
        "llm_recorded_cost_dollars_total": 0.25,
        "llm_cache_hits_total": 1,
        "llm_cache_misses_total": 1,
    }
    assert {name: _value(scrape, name, GPT) for name in expected} == expected
    claude = {"model": "claude", "provider": "", "service": ""}
    assert _value(scrape, "llm_recorded_requests_total", claude) == 1
    latency = [0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3]
    assert _buckets(scrape, "llm_recorded_request_latency_seconds", GPT) == latency
    assert _value(scrape, "llm_recorded_request_latency_seconds_sum", GPT) == pytest.approx(72.3)
    assert _value(scrape, "llm_recorded_ttft_seconds_count", GPT) == 1
    # Recorded requests never show up as spans, which would count a call twice.
    assert not any(name == "llm_requests_total" for name, _ in scrape)


def test_ingest_health_counts_logs_points_and_pending_rows(store: Store) -> None:
    exposition = PrometheusExposition(store)
    store.write([make_log("a"), make_log("b")])
    store.write(
        MetricPointRecord(name="queue.depth", kind="gauge", series_key=f"k{i}", time=T0, value=i)
        for i in range(3)
    )

    scrape = _scrape(exposition)
    assert _value(scrape, "llmobs_logs_stored_total") == 2
    assert _value(scrape, "llmobs_metric_points_stored_total") == 3
    assert _value(scrape, "llmobs_writer_pending_rows") == 0


def test_label_sets_beyond_the_cap_fold_into_model_other(store: Store) -> None:
    exposition = PrometheusExposition(store, max_label_sets=2)
    for model in ("m1", "m2", "m3", "m4"):
        store.write([make_span(span_type="llm", model=model, provider="p", input_tokens=1)])

    scrape = _scrape(exposition)
    requests = {
        dict(labels)["model"]: v for (n, labels), v in scrape.items() if n == "llm_requests_total"
    }
    assert requests == {"m1": 1, "m2": 1, "other": 2}
    other = {"model": "other", "provider": "p", "service": ""}
    assert _value(scrape, "llm_input_tokens_total", other) == 2


def _write_everything(store: Store) -> None:
    store.write(
        [
            *_llm_spans(),
            make_span(span_type="llm", model='quote " and \\ backslash', duration_ms=5),
            RequestSampleRecord(time=T0, model="gpt-4o", latency_s=0.7, cache_hit=True),
            make_log("a"),
        ]
    )


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "text/plain; version=0.0.4; charset=utf-8"),
        ("*/*", "text/plain; version=0.0.4; charset=utf-8"),
        ("text/plain; version=0.0.4", "text/plain; version=0.0.4; charset=utf-8"),
        (
            "application/openmetrics-text; version=1.0.0, text/plain;q=0.5",
            "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores",
        ),
        (
            "application/openmetrics-text",
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        ),
    ],
)
def test_render_negotiates_the_format(store: Store, accept: str | None, content_type: str) -> None:
    exposition = PrometheusExposition(store)
    _write_everything(store)

    body, rendered_type = exposition.render(accept)
    assert rendered_type == content_type
    if "openmetrics" in content_type:
        assert body.endswith(b"# EOF\n")
        assert b"# TYPE llm_requests counter" in body
    else:
        assert b"# EOF" not in body
        assert b"# TYPE llm_requests_total counter" in body
    # _created series are left out on purpose (see the module docstring).
    assert b"_created" not in body


def test_openmetrics_output_is_valid_and_histograms_consistent(store: Store) -> None:
    exposition = PrometheusExposition(store)
    _write_everything(store)

    families = _parse_openmetrics(exposition.render(OPENMETRICS)[0])
    histograms = [f for f in families if f.type == "histogram"]
    assert {f.name for f in histograms} == {
        "llm_request_latency_seconds",
        "llm_ttft_seconds",
        "llm_recorded_request_latency_seconds",
        "llm_recorded_ttft_seconds",
    }
    for family in histograms:
        for labels, buckets, count in _histogram_series(family.samples):
            counts = [c for _, c in sorted(buckets)]
            assert counts == sorted(counts), (family.name, labels)
            assert buckets[-1] == (float("inf"), count), (family.name, labels)
    assert all(f.documentation for f in families)


def _histogram_series(
    samples: Iterable[Any],
) -> Iterable[tuple[frozenset[tuple[str, str]], list[tuple[float, float]], float]]:
    """(labels, [(le, cumulative count)] in output order, _count) per label set."""
    buckets: dict[frozenset[tuple[str, str]], list[tuple[float, float]]] = {}
    counts: dict[frozenset[tuple[str, str]], float] = {}
    for s in samples:
        labels = frozenset((k, v) for k, v in s.labels.items() if k != "le")
        if s.name.endswith("_bucket"):
            buckets.setdefault(labels, []).append((float(s.labels["le"]), s.value))
        elif s.name.endswith("_count"):
            counts[labels] = s.value
    assert buckets.keys() == counts.keys()
    for labels, series in buckets.items():
        yield labels, series, counts[labels]


def test_promtool_accepts_the_text_format(store: Store) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        if os.environ.get("CI"):
            pytest.fail("promtool is missing: apt-get install prometheus")
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    exposition = PrometheusExposition(store)
    _write_everything(store)

    body, _ = exposition.render(None)
    checked = subprocess.run(
        [promtool, "check", "metrics"], input=body, capture_output=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()


def test_render_before_any_commit_has_every_family(store: Store) -> None:
    families = _parse_openmetrics(PrometheusExposition(store).render(OPENMETRICS)[0])
    assert {"llm_requests", "llm_recorded_requests", "llmobs_writer_pending_rows"} <= {
        f.name for f in families
    }
