"""``LLMSpanAttributes``: the SDK's span attribute names, as the seed guide defined them."""

from __future__ import annotations

from typing import Final


class LLMSpanAttributes:
    """Standard attribute keys for LLM spans; the normaliser maps them to ``spans`` columns.

    >>> tracer.set_attribute(LLMSpanAttributes.MODEL, "gpt-4o-mini")   # doctest: +SKIP
    """

    # Request attributes
    MODEL: Final = "llm.model"
    PROVIDER: Final = "llm.provider"
    TEMPERATURE: Final = "llm.temperature"
    MAX_TOKENS: Final = "llm.max_tokens"

    # Token attributes
    INPUT_TOKENS: Final = "llm.tokens.input"
    OUTPUT_TOKENS: Final = "llm.tokens.output"
    TOTAL_TOKENS: Final = "llm.tokens.total"

    # Cost attributes (reported by the caller; llmobs computes its own cost_usd beside them)
    INPUT_COST: Final = "llm.cost.input"
    OUTPUT_COST: Final = "llm.cost.output"
    TOTAL_COST: Final = "llm.cost.total"

    # Response attributes
    FINISH_REASON: Final = "llm.finish_reason"
    RESPONSE_ID: Final = "llm.response_id"

    # RAG attributes
    RETRIEVAL_COUNT: Final = "rag.retrieval.count"
    RETRIEVAL_LATENCY: Final = "rag.retrieval.latency_ms"

    # Chain attributes
    CHAIN_TYPE: Final = "chain.type"
    CHAIN_STEP: Final = "chain.step"
