"""How one successful chat call goes: tokens, provider caching, reasoning, latency, first chunk."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any, NamedTuple

from seed_data.catalogue import ErrorKind, ModelProfile
from seed_data.workload import lognormal

MAX_CALL_S = 120.0
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# gen_ai.response.finish_reasons as each provider's API words them: (stop, tool call, length).
_FINISH_WORDS = {
    "anthropic": ("end_turn", "tool_use", "max_tokens"),
    "gcp.gemini": ("STOP", "STOP", "MAX_TOKENS"),
}
_OPENAI_WORDS = ("stop", "tool_calls", "length")
# The finish_reason of the GenAI output-message schema, in the same order.
_SEMCONV_FINISH = ("stop", "tool_call", "length")


@dataclass(frozen=True)
class ModelCall:
    """One chat call (or an app-cache hit that replaced one), as logs and metrics see it."""

    span_id: str
    model: ModelProfile
    start_us: int
    end_us: int
    stream: bool = False
    ttft_s: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    error: ErrorKind | None = None
    cache_hit: bool | None = None


class ChatOutcome(NamedTuple):
    """The measurable result of a successful call."""

    input_tokens: int  # includes the cache tokens, as the GenAI conventions count them
    output_tokens: int  # includes the reasoning tokens
    cache_read_tokens: int
    cache_write_tokens: int
    reasoning_tokens: int
    ttft_s: float
    latency_s: float
    finish: int  # index into the finish-reason tuples


def draw_outcome(
    rng: random.Random,
    model: ModelProfile,
    prompt_chars: int,
    output_parts: list[dict[str, Any]],
    *,
    in_median: float,
    out_median: float,
    max_tokens: int,
    latency_factor: float,
) -> ChatOutcome:
    """Tokens and timing of a call; output tokens drive latency, so the two correlate."""
    num_in = max(prompt_chars // 4 + 30, int(lognormal(rng, in_median, 0.5)))
    answer_chars = len(json.dumps(output_parts))
    visible = max(answer_chars // 4 + 3, int(lognormal(rng, out_median, 0.6)))
    finish = 0 if output_parts[0]["type"] == "text" else 1
    if visible >= max_tokens:
        visible, finish = max_tokens, 2
    reasoning = int(lognormal(rng, 350, 0.7)) if model.reasoning else 0
    cache_read = cache_write = 0
    if num_in >= 1024 and rng.random() < model.cache_read_share:
        cache_read = int(num_in * rng.uniform(0.4, 0.9)) // 128 * 128  # OpenAI caches by 128
    elif rng.random() < model.cache_write_share:
        cache_write = int(num_in * rng.uniform(0.3, 0.7))
    tokens_per_s = lognormal(rng, model.tokens_per_s, 0.25)
    # The first visible chunk comes after the hidden reasoning.
    ttft_s = lognormal(rng, model.ttft_median_s, 0.35) + reasoning / tokens_per_s
    if rng.random() < 0.02:  # provider-side queueing: the long tail everyone sees
        ttft_s *= rng.uniform(4.0, 12.0)
    ttft_s *= latency_factor
    # Clients give up after 120 s; the cap also bounds how long a trace can last.
    latency_s = min(ttft_s + visible / tokens_per_s * latency_factor, MAX_CALL_S)
    return ChatOutcome(
        num_in,
        visible + reasoning,
        cache_read,
        cache_write,
        reasoning,
        min(ttft_s, latency_s),
        latency_s,
        finish,
    )


def response_attributes(
    rng: random.Random,
    model: ModelProfile,
    outcome: ChatOutcome,
    output_parts: list[dict[str, Any]],
    *,
    stream: bool,
) -> dict[str, Any]:
    """The ``gen_ai.response.*``, ``gen_ai.usage.*`` and output attributes of a success."""
    words = _FINISH_WORDS.get(model.provider, _OPENAI_WORDS)
    attrs: dict[str, Any] = {
        "gen_ai.response.model": model.response_model,
        "gen_ai.response.id": _response_id(rng, model.provider),
        "gen_ai.response.finish_reasons": [words[outcome.finish]],
        "gen_ai.usage.input_tokens": outcome.input_tokens,
        "gen_ai.usage.output_tokens": outcome.output_tokens,
    }
    if outcome.cache_read_tokens:
        attrs["gen_ai.usage.cache_read.input_tokens"] = outcome.cache_read_tokens
    if outcome.cache_write_tokens:
        attrs["gen_ai.usage.cache_creation.input_tokens"] = outcome.cache_write_tokens
    if outcome.reasoning_tokens:
        attrs["gen_ai.usage.reasoning.output_tokens"] = outcome.reasoning_tokens
    if stream:
        attrs["gen_ai.response.time_to_first_chunk"] = round(outcome.ttft_s, 4)
    message = {"role": "assistant", "parts": output_parts}
    message["finish_reason"] = _SEMCONV_FINISH[outcome.finish]
    attrs["gen_ai.output.messages"] = json.dumps([message])
    return attrs


def _response_id(rng: random.Random, provider: str) -> str:
    """An id shaped like the provider's own."""
    if provider == "anthropic":
        return "msg_01" + "".join(rng.choices(_ALNUM, k=22))
    if provider in ("openai", "vllm"):
        return "chatcmpl-" + "".join(rng.choices(_ALNUM, k=29))
    return f"{rng.getrandbits(128):032x}"
