"""Attribute conventions (GenAI, OpenInference, OpenLLMetry, OpenLIT, seed SDK): keys and kinds."""

from __future__ import annotations

# Candidate keys per column, first present wins (STANDARDS §3.3 and §2.6); seed SDK keys last.
PROVIDER_KEYS = ("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")
REQUEST_MODEL_KEYS = ("gen_ai.request.model", "llm.request.model_name", "llm.model")
RESPONSE_MODEL_KEYS = (
    "gen_ai.response.model",
    "llm.response.model_name",
    "llm.model_name",
    "embedding.model_name",
)
INPUT_TOKEN_KEYS = (
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.prompt_tokens",
    "llm.token_count.prompt",
    "llm.usage.prompt_tokens",
    "llm.tokens.input",
)
OUTPUT_TOKEN_KEYS = (
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.completion_tokens",
    "llm.token_count.completion",
    "llm.usage.completion_tokens",
    "llm.tokens.output",
)
TOTAL_TOKEN_KEYS = (
    "gen_ai.usage.total_tokens",
    "llm.usage.total_tokens",
    "llm.token_count.total",
    "llm.tokens.total",
)
CACHE_READ_KEYS = (
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_read_input_tokens",
    "llm.token_count.prompt_details.cache_read",
)
CACHE_WRITE_KEYS = (
    "gen_ai.usage.cache_creation.input_tokens",
    "gen_ai.usage.cache_creation_input_tokens",
    "llm.token_count.prompt_details.cache_write",
)
REASONING_KEYS = (
    "gen_ai.usage.reasoning.output_tokens",
    "gen_ai.usage.reasoning_tokens",
    "llm.token_count.completion_details.reasoning",
    "llm.usage.reasoning_tokens",
)
# Reported cost: a total first, else the sum of the parts sent (OpenInference, then seed SDK).
COST_TOTAL_KEYS = ("gen_ai.usage.cost", "llm.cost.total")
COST_PART_KEYS = (("llm.cost.prompt", "llm.cost.completion"), ("llm.cost.input", "llm.cost.output"))
SESSION_KEYS = (
    "gen_ai.conversation.id",
    "session.id",
    "traceloop.association.properties.session_id",
    "langfuse.session.id",
)
USER_KEYS = (
    "user.id",
    "gen_ai.request.user",
    "gen_ai.user",
    "llm.user",
    "traceloop.association.properties.user_id",
    "langfuse.user.id",
)
TTFT_S_KEYS = ("gen_ai.response.time_to_first_chunk",)
SERVER_TTFT_S_KEYS = ("gen_ai.server.time_to_first_token",)

# Kind hints → span_type. A hint with an unknown value falls through to the next family,
# except OpenInference, whose kinds are a closed list (GUARDRAIL, EVALUATOR… are "other").
TYPE_BY_OPERATION = {
    "chat": "llm",
    "text_completion": "llm",
    "generate_content": "llm",
    "embeddings": "embedding",
    "retrieval": "retrieval",
    "execute_tool": "tool",
    "invoke_agent": "agent",
    "create_agent": "agent",
    "invoke_workflow": "chain",
}
TYPE_BY_OPENINFERENCE = {
    "LLM": "llm",
    "EMBEDDING": "embedding",
    "RETRIEVER": "retrieval",
    "RERANKER": "retrieval",
    "TOOL": "tool",
    "AGENT": "agent",
    "CHAIN": "chain",
}
TYPE_BY_TRACELOOP = {"workflow": "chain", "task": "chain", "agent": "agent", "tool": "tool"}
TYPE_BY_REQUEST_TYPE = {
    "chat": "llm",
    "completion": "llm",
    "embedding": "embedding",
    "rerank": "retrieval",
}
# Other families' kinds → operation, spelled as gen_ai.operation.name values so one
# GROUP BY covers every producer.
OPERATION_BY_REQUEST_TYPE = {
    "chat": "chat",
    "completion": "text_completion",
    "embedding": "embeddings",
    "rerank": "rerank",
}
OPERATION_BY_OPENINFERENCE = {
    "LLM": "chat",
    "EMBEDDING": "embeddings",
    "RETRIEVER": "retrieval",
    "TOOL": "execute_tool",
    "AGENT": "invoke_agent",
}
OPERATION_BY_TRACELOOP = {
    "workflow": "invoke_workflow",
    "task": "task",
    "agent": "invoke_agent",
    "tool": "execute_tool",
}
# Keys under these prefixes are user labels, gathered into the metadata column.
METADATA_PREFIXES = ("metadata.", "traceloop.association.properties.")
