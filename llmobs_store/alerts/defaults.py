"""The built-in rules (the seed guide's four), installed into ``alert_rules`` when absent."""

from __future__ import annotations

from datetime import UTC, datetime

from llmobs_store.alerts.rules import Rule, install_rules
from llmobs_store.store import Store

_LOG = ({"type": "log"},)

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        name="high_error_rate",
        description="LLM error rate above 5% over 5 minutes (seed guide built-in).",
        metric="error_rate",
        filters={"span_type": "llm"},
        window_s=300,
        comparator=">",
        critical_threshold=0.05,
        severity="critical",
        min_samples=100,
        cooldown_s=3_600,
        message_template="LLM error rate {value} exceeds {threshold}",
        notifiers=_LOG,
    ),
    Rule(
        name="high_latency",
        description="p95 LLM call latency above 5000 ms over 5 minutes (seed guide built-in).",
        metric="latency_p95",
        filters={"span_type": "llm"},
        window_s=300,
        comparator=">",
        warning_threshold=5_000,
        severity="warning",
        min_samples=20,
        cooldown_s=3_600,
        message_template="LLM p95 latency {value} ms exceeds {threshold} ms",
        notifiers=_LOG,
    ),
    Rule(
        # The seed compared all-time cost with 100 USD; this compares the last hour's spend
        # with the 24 hours before it, in standard deviations (a z-score).
        name="cost_spike",
        description="LLM spend in the last hour far above the trailing 24 hours "
        "(seed guide built-in, truly windowed).",
        metric="cost_zscore",
        window_s=3_600,
        comparator=">",
        warning_threshold=3.0,
        severity="warning",
        min_samples=1,
        cooldown_s=3_600,
        message_template="LLM cost {cost_usd} USD in the last hour is {value} standard "
        "deviations above the trailing 24 h mean of {trailing_mean} USD/h",
        notifiers=_LOG,
    ),
    Rule(
        name="low_cache_hit_rate",
        description="Application cache hit rate below 30% over one hour (seed guide built-in).",
        metric="cache_hit_rate",
        window_s=3_600,
        comparator="<",
        warning_threshold=0.3,
        severity="info",
        min_samples=100,
        cooldown_s=3_600,
        message_template="Cache hit rate {value} is below {threshold}",
        notifiers=_LOG,
    ),
)


def install_default_rules(store: Store, *, now: datetime | None = None) -> list[str]:
    """Add the built-in rules whose names are free; returns the names added.

    A built-in that was edited or disabled keeps the user's version.
    """
    with store.engine.begin() as conn:
        return install_rules(conn, DEFAULT_RULES, now=now or datetime.now(UTC))
