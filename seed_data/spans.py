"""One trace under construction: a factory method per span kind, with GenAI attributes filled."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from llmobs_store.ingest.records import RawSpan, SpanEvent
from seed_data.catalogue import (
    EMBEDDING_MODEL,
    LLM_ERRORS,
    TOOL_ERROR_SHARE,
    TOOL_ERRORS,
    ErrorKind,
    ModelProfile,
)
from seed_data.chat import ModelCall, draw_outcome, response_attributes
from seed_data.tools import Tool
from seed_data.workload import US_PER_S, lognormal

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_datetime(t_us: int) -> datetime:
    """The UTC datetime ``t_us`` microseconds after the epoch (exact, unlike float seconds)."""
    return EPOCH + timedelta(microseconds=t_us)


def text_message(role: str, content: str) -> dict[str, Any]:
    """A GenAI message with one text part."""
    return {"role": role, "parts": [{"type": "text", "content": content}]}


@dataclass(frozen=True)
class ToolFailure:
    """A tool call that raised; the agent carried on without its result."""

    span_id: str
    tool_name: str
    error: ErrorKind
    time_us: int


class TraceDraft:
    """Spans of one trace as they are made; every span shares the trace's context attributes."""

    def __init__(
        self,
        rng: random.Random,
        resource: dict[str, Any],
        context: dict[str, Any],
        app_scope: str,
    ) -> None:
        self.rng = rng
        self.trace_id = f"{rng.getrandbits(128) or 1:032x}"
        self.resource = resource
        self.context = context  # user.id, gen_ai.conversation.id, metadata.* on root and LLM spans
        self.app_scope = app_scope
        self.spans: list[RawSpan] = []
        self.calls: list[ModelCall] = []
        self.tool_failures: list[ToolFailure] = []

    def new_span_id(self) -> str:
        """A random, non-zero span id from the seeded generator."""
        return f"{self.rng.getrandbits(64) or 1:016x}"

    def add(
        self,
        name: str,
        kind: str,
        parent: str | None,
        start_us: int,
        end_us: int,
        attributes: dict[str, Any],
        *,
        span_id: str | None = None,
        error: ErrorKind | None = None,
        scope: str | None = None,
    ) -> str:
        """Append a finished span and return its id; ``error`` marks it failed the OTel way."""
        span_id = span_id or self.new_span_id()
        events: tuple[SpanEvent, ...] = ()
        if error is not None:
            attributes["error.type"] = error.error_type
            events = (self._exception_event(error, end_us, name),)
        self.spans.append(
            RawSpan(
                trace_id=self.trace_id,
                span_id=span_id,
                parent_span_id=parent,
                name=name,
                kind=kind,
                start_time=to_datetime(start_us),
                end_time=to_datetime(max(end_us, start_us + 1)),
                status="error" if error else ("ok" if parent is None else "unset"),
                status_message=error.message if error else None,
                attributes=attributes,
                events=events,
                resource_attributes=self.resource,
                scope_name=scope or self.app_scope,
            )
        )
        return span_id

    def _exception_event(self, error: ErrorKind, t_us: int, where: str) -> SpanEvent:
        module = self.app_scope.split(".")[0]
        frames = [
            f'  File "/app/{module}/pipeline.py", line {self.rng.randint(40, 400)}, in run\n'
            f"    result = await step({where!r})\n"
        ]
        package = error.exception_type.rpartition(".")[0].split(".")[0]
        if package:  # raised inside a client library: show its frame too
            frames.append(
                f'  File "/usr/local/lib/python3.12/site-packages/{package}/_client.py", '
                f"line {self.rng.randint(900, 1700)}, in request\n"
                "    raise self._make_status_error(response)\n"
            )
        stacktrace = "Traceback (most recent call last):\n" + "".join(frames)
        stacktrace += f"{error.exception_type}: {error.message}"
        return SpanEvent(
            "exception",
            to_datetime(t_us),
            {
                "exception.type": error.exception_type,
                "exception.message": error.message,
                "exception.stacktrace": stacktrace,
            },
        )

    def chat(
        self,
        parent: str,
        start_us: int,
        model: ModelProfile,
        messages: list[dict[str, Any]],
        output_parts: list[dict[str, Any]],
        *,
        in_median: float,
        out_median: float,
        settings: dict[str, Any],
        fail_share: float,
        latency_factor: float = 1.0,
    ) -> ModelCall:
        """A chat call span; ``output_parts`` is what the model answers when it succeeds.

        A failed call carries ``error.type`` and an exception event but no token counts.
        """
        rng = self.rng
        stream = bool(settings.get("gen_ai.request.stream"))
        prompt = json.dumps(messages)
        attrs: dict[str, Any] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": model.provider,
            "gen_ai.request.model": model.request_model,
            **settings,
            "server.address": model.server_address,
            "server.port": 8000 if model.provider == "vllm" else 443,
            **self.context,
            "gen_ai.input.messages": prompt,
        }
        name, span_id, scope = f"chat {model.request_model}", self.new_span_id(), model.scope_name
        call: ModelCall
        if rng.random() < fail_share:
            error = rng.choice(LLM_ERRORS[model.provider])
            end_us = start_us + int((error.duration_s or lognormal(rng, 0.4, 0.6)) * US_PER_S)
            call = ModelCall(span_id, model, start_us, end_us, stream, error=error)
        else:
            outcome = draw_outcome(
                rng,
                model,
                len(prompt),
                output_parts,
                in_median=in_median,
                out_median=out_median,
                max_tokens=settings["gen_ai.request.max_tokens"],
                latency_factor=latency_factor,
            )
            attrs |= response_attributes(rng, model, outcome, output_parts, stream=stream)
            end_us = start_us + int(outcome.latency_s * US_PER_S)
            call = ModelCall(
                span_id,
                model,
                start_us,
                end_us,
                stream,
                ttft_s=round(outcome.ttft_s, 4) if stream else None,
                input_tokens=outcome.input_tokens,
                output_tokens=outcome.output_tokens,
                cache_read_tokens=outcome.cache_read_tokens,
                cache_write_tokens=outcome.cache_write_tokens,
                reasoning_tokens=outcome.reasoning_tokens,
            )
        self.add(
            name, "client", parent, start_us, end_us, attrs, span_id=span_id, error=call.error,
            scope=scope,
        )  # fmt: skip
        self.calls.append(call)
        return call

    def embeddings(self, parent: str, start_us: int, text: str) -> int:
        """A query-embedding call; returns its end time."""
        model = EMBEDDING_MODEL
        end_us = start_us + int(lognormal(self.rng, model.ttft_median_s, 0.4) * US_PER_S)
        attrs = {
            "gen_ai.operation.name": "embeddings",
            "gen_ai.provider.name": model.provider,
            "gen_ai.request.model": model.request_model,
            "gen_ai.response.model": model.response_model,
            "gen_ai.embeddings.dimension.count": 1536,
            "gen_ai.usage.input_tokens": len(text) // 4 + 2,
            "server.address": model.server_address,
            "server.port": 443,
        }
        self.add(
            f"embeddings {model.request_model}",
            "client",
            parent,
            start_us,
            end_us,
            attrs,
            scope=model.scope_name,
        )
        return end_us

    def retrieval(self, parent: str, start_us: int, source: str, doc_ids: list[str]) -> int:
        """A vector-store query; returns its end time."""
        end_us = start_us + int(lognormal(self.rng, 0.06, 0.5) * US_PER_S)
        attrs = {
            "gen_ai.operation.name": "retrieval",
            "gen_ai.data_source.id": source,
            "db.system.name": "qdrant",
            "db.collection.name": source,
            "app.retrieval.document_ids": doc_ids,
        }
        self.add(f"retrieval {source}", "client", parent, start_us, end_us, attrs)
        return end_us

    def tool(
        self, parent: str, start_us: int, tool: Tool, call_id: str, arguments: dict[str, Any]
    ) -> tuple[int, dict[str, Any] | None]:
        """A tool execution; returns its end time and result (None when the tool failed)."""
        rng = self.rng
        error = rng.choice(TOOL_ERRORS) if rng.random() < TOOL_ERROR_SHARE else None
        duration_s = lognormal(rng, tool.median_s, 0.6)
        if error is not None and error.duration_s is not None:
            duration_s = error.duration_s
        end_us = start_us + int(duration_s * US_PER_S)
        result = None if error else tool.make_result(rng, arguments)
        attrs: dict[str, Any] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": tool.name,
            "gen_ai.tool.type": "function",
            "gen_ai.tool.description": tool.description,
            "gen_ai.tool.call.id": call_id,
            "gen_ai.tool.call.arguments": json.dumps(arguments),
        }
        if result is not None:
            attrs["gen_ai.tool.call.result"] = json.dumps(result)
        span_id = self.add(
            f"execute_tool {tool.name}", "internal", parent, start_us, end_us, attrs, error=error
        )
        if error:
            self.tool_failures.append(ToolFailure(span_id, tool.name, error, end_us))
        return end_us, result
