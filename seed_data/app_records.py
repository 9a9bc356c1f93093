"""The log lines and request samples the demo apps write for each request, tied to its trace."""

from __future__ import annotations

from typing import Any

from llmobs_store.ingest.records import LogRecord, RequestSampleRecord
from seed_data.chat import ModelCall
from seed_data.spans import to_datetime
from seed_data.traces import DemoTrace
from seed_data.workload import US_PER_S, price_rates

SLOW_CALL_S = 10.0
_SEVERITY = {"info": (9, "INFO"), "warning": (13, "WARNING"), "error": (17, "ERROR")}


def call_cost(call: ModelCall) -> float | None:
    """What the app reports for ``call``, priced from genai-prices; None when unknown.

    An app-cache hit costs nothing; a failed call or an unknown model has no known cost.
    """
    if call.cache_hit:
        return 0.0
    if call.input_tokens is None or call.output_tokens is None:
        return None
    rates = price_rates(call.model.response_model, to_datetime(call.end_us).date())
    if rates is None:
        return None
    cost = rates.cost(
        call.input_tokens, call.output_tokens, call.cache_read_tokens, call.cache_write_tokens
    )
    return round(cost, 10)  # drop float noise such as 0.0030704000000000005


def request_samples(trace: DemoTrace) -> list[RequestSampleRecord]:
    """One sample per model call (and per app-cache hit), as ``record_request`` stores it.

    ``model`` is the model the app asked for (what it is configured with), so a failed call,
    which has no response model, lands in the same group as the successful ones.
    """
    return [
        RequestSampleRecord(
            time=to_datetime(call.end_us),
            model=call.model.request_model,
            latency_s=(call.end_us - call.start_us) / US_PER_S,
            success=call.error is None,
            input_tokens=call.input_tokens,
            output_tokens=call.output_tokens,
            cost_usd=call_cost(call),
            provider=call.model.provider,
            ttft_s=call.ttft_s,
            cache_hit=call.cache_hit,
            service_name=trace.service.name,
            trace_id=trace.trace_id,
            span_id=call.span_id,
            attributes=trace.context,
        )
        for call in trace.calls
    ]


def logs(trace: DemoTrace) -> list[LogRecord]:
    """The app's log lines for ``trace``: each model call, slow calls, failures, the request."""
    entries: list[LogRecord] = []

    def log(level: str, t_us: int, logger: str, message: str, **fields: Any) -> None:
        number, text = _SEVERITY[level]
        entries.append(
            LogRecord(
                time=to_datetime(t_us),
                level=level,
                message=message,
                severity_number=number,
                severity_text=text,
                logger_name=f"{trace.service.name.replace('-', '_')}.{logger}",
                service_name=trace.service.name,
                trace_id=trace.trace_id,
                attributes=trace.context,
                resource_attributes=trace.resource,
                **fields,
            )
        )

    for call in trace.calls:
        latency_ms = (call.end_us - call.start_us) / 1000
        fields: dict[str, Any] = {
            "span_id": call.span_id,
            "latency_ms": latency_ms,
            "model": call.model.request_model,
            "provider": call.model.provider,
        }
        if call.cache_hit:
            log("info", call.end_us, "cache", "Answer served from the semantic cache", **fields)
        elif call.error:
            fields |= {"error_type": call.error.error_type, "error_message": call.error.message}
            log("error", call.end_us, "llm", f"LLM request failed: {call.error.message}", **fields)
        else:
            log(
                "info",
                call.end_us,
                "llm",
                "LLM request completed",
                **fields,
                input_tokens=call.input_tokens,
                output_tokens=call.output_tokens,
                cost_usd=call_cost(call),
            )
            if latency_ms > SLOW_CALL_S * 1000:
                message = f"Slow LLM call: {latency_ms / 1000:.1f} s (budget {SLOW_CALL_S:.0f} s)"
                log("warning", call.end_us, "llm", message, **fields)
    for failure in trace.tool_failures:
        error = failure.error
        message = f"Tool {failure.tool_name} failed: {error.message}"
        log(
            "error",
            failure.time_us,
            "tools",
            message,
            span_id=failure.span_id,
            error_type=error.error_type,
            error_message=error.message,
        )
    duration_ms = (trace.end_us - trace.start_us) / 1000
    status = "done"
    if trace.service.root_kind == "server":
        status = "502" if trace.error else "200"
    message = f"{trace.service.route} {status} in {duration_ms:.0f} ms"
    log(
        "error" if trace.error else "info",
        trace.end_us,
        "requests",
        message,
        span_id=trace.root_span_id,
        latency_ms=duration_ms,
        error_type=trace.error.error_type if trace.error else None,
    )
    return entries
