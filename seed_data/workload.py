"""How demo traffic varies: tenants and users, the daily rhythm, incidents, and model prices."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache

from genai_prices import Usage, calc_price

from seed_data.catalogue import LLM_ERROR_SHARE

US_PER_S = 1_000_000
US_PER_HOUR = 3_600 * US_PER_S


TENANTS: dict[str, float] = {
    "acme": 0.35,
    "globex": 0.25,
    "initech": 0.18,
    "umbrella": 0.14,
    "hooli": 0.08,
}
NUM_USERS = 400


@dataclass(frozen=True)
class User:
    """An end user of the apps; each belongs to one tenant."""

    user_id: str
    tenant: str


class UserPool:
    """A few hundred users whose activity follows a Zipf-like law (a few are very busy)."""

    def __init__(self, rng: random.Random, num_users: int = NUM_USERS) -> None:
        names, weights = list(TENANTS), list(TENANTS.values())
        self.users = [
            User(f"user-{k + 1:04d}", rng.choices(names, weights)[0]) for k in range(num_users)
        ]
        self._cum = list(itertools.accumulate(1.0 / (k + 1) ** 1.1 for k in range(num_users)))

    def pick(self, rng: random.Random) -> User:
        """A user, the busiest ones most often."""
        return rng.choices(self.users, cum_weights=self._cum)[0]


@dataclass(frozen=True)
class Incident:
    """A stretch of time when one provider misbehaves, so dashboards and alerts have a story."""

    provider: str
    start_us: int
    end_us: int
    error_share: float
    latency_factor: float

    def covers(self, provider: str, t_us: int) -> bool:
        """True when a call to ``provider`` at ``t_us`` falls inside the incident."""
        return provider == self.provider and self.start_us <= t_us < self.end_us


def incidents(start_us: int, end_us: int) -> tuple[Incident, ...]:
    """An anthropic rate-limit storm and a slow OpenAI afternoon, placed inside the window."""
    span = end_us - start_us

    def at(frac: float) -> int:
        return start_us + int(span * frac) // US_PER_HOUR * US_PER_HOUR

    return (
        Incident("anthropic", at(0.62), at(0.62) + 2 * US_PER_HOUR, 0.3, 1.0),
        Incident("openai", at(0.3), at(0.3) + 3 * US_PER_HOUR, LLM_ERROR_SHARE, 2.5),
    )


def hourly_rate(t_us: int) -> float:
    """Relative traffic at ``t_us``: busy in (UTC) working hours, quieter at weekends."""
    hour = (t_us / US_PER_HOUR) % 24
    weekday = (t_us // (24 * US_PER_HOUR) + 3) % 7  # 1970-01-01 was a Thursday (3)
    daily = 0.12 + math.exp(-(((hour - 13.5) / 4.0) ** 2))
    return daily * (0.4 if weekday >= 5 else 1.0)


class Timeline:
    """Maps a fraction of the traffic to a time: equal fractions cover equal traffic."""

    def __init__(self, start_us: int, end_us: int) -> None:
        self.start_us, self.end_us = start_us, end_us
        self._edges = list(range(start_us, end_us, US_PER_HOUR)) + [end_us]
        weights = [hourly_rate(a) * (b - a) for a, b in itertools.pairwise(self._edges)]
        total = sum(weights) or 1.0
        self._cum = [0.0, *itertools.accumulate(w / total for w in weights)]

    def time_at(self, frac: float) -> int:
        """The time by which ``frac`` (0..1) of the window's traffic has arrived."""
        i = min(max(bisect.bisect_right(self._cum, frac) - 1, 0), len(self._edges) - 2)
        lo, hi = self._cum[i], self._cum[i + 1]
        within = (frac - lo) / (hi - lo) if hi > lo else 0.0
        a, b = self._edges[i], self._edges[i + 1]
        return a + int(within * (b - a))


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    """A lognormal draw given its median (latencies and token counts are long-tailed)."""
    return median * math.exp(rng.gauss(0.0, sigma))


@dataclass(frozen=True)
class Rates:
    """USD per token by kind, read from genai-prices once per model."""

    input: float
    cache_read: float
    cache_write: float
    output: float

    def cost(self, num_in: int, num_out: int, cache_read: int, cache_write: int) -> float:
        """Cost of one call; ``num_in`` includes the cache tokens, as semconv counts them."""
        uncached = num_in - cache_read - cache_write
        return (
            uncached * self.input
            + cache_read * self.cache_read
            + cache_write * self.cache_write
            + num_out * self.output
        )


@cache
def price_rates(response_model: str, day: date) -> Rates | None:
    """Per-token rates from genai-prices on ``day``, or None for a model it does not know.

    Prices on a given day (not "now") keep the demo's costs the same on every run. They are
    linear for the demo's models below their long-context tiers (gemini-1.5-flash doubles
    above 128k tokens; demo prompts stay far below), and 1,000-token probes stay in the base.
    """
    noon = datetime.combine(day, time(12), UTC)

    def usd(**tokens: int) -> float:
        price = calc_price(Usage(**tokens), model_ref=response_model, genai_request_timestamp=noon)
        return float(price.total_price) / 1000

    try:
        base = usd(input_tokens=1000)
    except LookupError:
        return None
    return Rates(
        input=base,
        cache_read=usd(input_tokens=1000, cache_read_tokens=1000),
        cache_write=usd(input_tokens=1000, cache_write_tokens=1000),
        output=usd(output_tokens=1000),
    )
