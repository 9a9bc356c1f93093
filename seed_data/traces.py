"""Who calls which app, and how each request becomes a trace: agent loops, RAG, summaries."""

from __future__ import annotations

import dataclasses
import json
import random
from dataclasses import dataclass
from typing import Any

from llmobs_store.ingest.records import RawSpan
from seed_data.catalogue import LLM_ERROR_SHARE, SERVICES, ErrorKind, ServiceProfile
from seed_data.chat import ModelCall
from seed_data.shapes import MS, Aborted, Request
from seed_data.spans import ToolFailure, TraceDraft, text_message
from seed_data.texts import QA
from seed_data.workload import US_PER_S, User, UserPool, incidents

_SESSION_IDLE_US = 30 * 60 * US_PER_S  # a conversation left this long is over


@dataclass(frozen=True)
class DemoTrace:
    """One generated request: its spans and what logs, samples and metrics need to know."""

    trace_id: str
    root_span_id: str
    service: ServiceProfile
    resource: dict[str, Any]
    user: User
    session_id: str | None
    context: dict[str, Any]  # user, conversation and metadata.* attributes of the request
    start_us: int
    end_us: int
    error: ErrorKind | None
    spans: list[RawSpan]
    calls: list[ModelCall]
    tool_failures: list[ToolFailure]


@dataclass
class _Session:
    session_id: str
    user: User
    turns_left: int
    last_end_us: int = 0
    last_qa: QA | None = None


class TraceBuilder:
    """Builds traces in start-time order from one seeded generator (same seed, same traces)."""

    def __init__(self, rng: random.Random, start_us: int, end_us: int) -> None:
        self._rng = rng
        self._users = UserPool(rng)
        self._incidents = incidents(start_us, end_us)
        self._deploy_us = start_us + int((end_us - start_us) * 0.55)
        self._sessions: list[_Session] = []
        self._resources: dict[tuple[str, str], dict[str, Any]] = {}

    def build(self, start_us: int) -> DemoTrace:
        """The trace of a request that arrived at ``start_us``."""
        rng = self._rng
        service = rng.choices(SERVICES, [s.weight for s in SERVICES])[0]
        session = self._session(start_us) if service.name == "support-bot" else None
        user = session.user if session else self._users.pick(rng)
        context: dict[str, Any] = {"user.id": user.user_id}
        if session:
            context["gen_ai.conversation.id"] = session.session_id
        context |= {"metadata.tenant": user.tenant, "metadata.feature": service.feature}
        version = service.versions[1] if start_us >= self._deploy_us else service.versions[0]
        resource = self._resource(service.name, version)
        draft = TraceDraft(rng, resource, context, f"{service.name.replace('-', '_')}.app")
        request = Request(draft, service, self.effect)
        root_id = draft.new_span_id()
        shape = rng.choices(list(service.shapes), list(service.shapes.values()))[0]
        history = session.last_qa if session else None
        question, answer = "", ""
        error: ErrorKind | None = None
        t = start_us + rng.randint(1 * MS, 4 * MS)
        try:
            question, answer, t = request.run(shape, root_id, t, history)
        except Aborted as aborted:
            error, t = aborted.error, aborted.time_us
            question = request.question
        end_us = t + rng.randint(1 * MS, 6 * MS)
        self._add_root(draft, service, root_id, start_us, end_us, question, answer, error)
        calls = draft.calls
        if service.cache_lookup:
            calls = [c if c.cache_hit else dataclasses.replace(c, cache_hit=False) for c in calls]
        if session:
            session.last_end_us = end_us
            session.last_qa = None if error else QA(question, answer)
        return DemoTrace(
            trace_id=draft.trace_id,
            root_span_id=root_id,
            service=service,
            resource=resource,
            user=user,
            session_id=session.session_id if session else None,
            context=context,
            start_us=start_us,
            end_us=end_us,
            error=error,
            spans=draft.spans,
            calls=calls,
            tool_failures=draft.tool_failures,
        )

    def effect(self, provider: str, t_us: int) -> tuple[float, float]:
        """(failure share, latency factor) of a call to ``provider`` at ``t_us``."""
        for incident in self._incidents:
            if incident.covers(provider, t_us):
                return incident.error_share, incident.latency_factor
        return LLM_ERROR_SHARE, 1.0

    def _session(self, start_us: int) -> _Session:
        """An ongoing conversation to continue (sometimes) or a new one."""
        rng = self._rng
        self._sessions = [
            s
            for s in self._sessions
            if s.turns_left > 0 and start_us - s.last_end_us < _SESSION_IDLE_US
        ]
        # A conversation continues only once its previous request has been answered.
        ready = [s for s in self._sessions if s.last_end_us + 5 * US_PER_S <= start_us]
        if ready and rng.random() < 0.6:
            session = rng.choice(ready)
        else:
            session_id = f"conv_{rng.getrandbits(64):016x}"
            session = _Session(session_id, self._users.pick(rng), rng.randint(2, 6))
            self._sessions.append(session)
        session.turns_left -= 1
        session.last_end_us = start_us  # busy until this request ends
        return session

    def _resource(self, service: str, version: str) -> dict[str, Any]:
        key = (service, version)
        if key not in self._resources:
            self._resources[key] = {
                "service.name": service,
                "service.version": version,
                "deployment.environment": "production",
                "telemetry.sdk.language": "python",
                "telemetry.sdk.name": "opentelemetry",
                "telemetry.sdk.version": "1.38.0",
            }
        return self._resources[key]

    def _add_root(
        self,
        draft: TraceDraft,
        service: ServiceProfile,
        root_id: str,
        start_us: int,
        end_us: int,
        question: str,
        answer: str,
        error: ErrorKind | None,
    ) -> None:
        attrs: dict[str, Any] = {
            "gen_ai.operation.name": "invoke_workflow",
            "gen_ai.workflow.name": service.feature,
            **draft.context,
            "gen_ai.input.messages": json.dumps([text_message("user", question)]),
        }
        if not error:
            output = text_message("assistant", answer) | {"finish_reason": "stop"}
            attrs["gen_ai.output.messages"] = json.dumps([output])
        if service.root_kind == "server":
            method, route = service.route.split(" ", 1)
            attrs |= {"http.request.method": method, "http.route": route}
            attrs["http.response.status_code"] = 502 if error else 200
        else:
            attrs |= {
                "messaging.system": "rabbitmq",
                "messaging.operation.type": "process",
                "messaging.destination.name": f"{service.feature}-jobs",
            }
        name, kind = service.route, service.root_kind
        draft.add(name, kind, None, start_us, end_us, attrs, span_id=root_id, error=error)
