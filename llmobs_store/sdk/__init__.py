"""The Python SDK: trace, measure and log LLM calls straight into an llmobs store."""

from llmobs_store.sdk.attributes import LLMSpanAttributes
from llmobs_store.sdk.context import SpanContext, current_span_context
from llmobs_store.sdk.decorators import trace_llm_call
from llmobs_store.sdk.default_store import close_default_store, default_store
from llmobs_store.sdk.exporter import RecordExporter, StoreExporter
from llmobs_store.sdk.instruments import Counter, Gauge, Histogram
from llmobs_store.sdk.log_handler import LLMObsLogHandler
from llmobs_store.sdk.logging import LLMLogEntry, LLMLogger, LogLevel, PromptLogger
from llmobs_store.sdk.metrics import LLMMetrics
from llmobs_store.sdk.spans import Span, Trace
from llmobs_store.sdk.tracer import LLMTracer

__all__ = [
    "Counter",
    "Gauge",
    "Histogram",
    "LLMLogEntry",
    "LLMLogger",
    "LLMMetrics",
    "LLMObsLogHandler",
    "LLMSpanAttributes",
    "LLMTracer",
    "LogLevel",
    "PromptLogger",
    "RecordExporter",
    "Span",
    "SpanContext",
    "StoreExporter",
    "Trace",
    "close_default_store",
    "current_span_context",
    "default_store",
    "trace_llm_call",
]
