"""The shapes a request takes: support agent loops, RAG answers, docs search, summaries."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from seed_data.catalogue import MODELS, ErrorKind, ServiceProfile
from seed_data.chat import ModelCall
from seed_data.spans import TraceDraft, text_message
from seed_data.texts import DOCUMENTS, KB_PASSAGES, QA, SEARCH_QA, SUPPORT_QA, SYSTEM_INSTRUCTIONS
from seed_data.tools import TOOL_DEFINITIONS, TOOLS
from seed_data.workload import US_PER_S, lognormal

MS = 1_000
CACHE_HIT_SHARE = 0.32

Effect = Callable[[str, int], tuple[float, float]]
"""(provider, time) → (failure share, latency factor) of a model call."""


class Aborted(Exception):
    """A model call failed even after the retry: the whole request fails."""

    def __init__(self, error: ErrorKind, time_us: int) -> None:
        super().__init__(error.error_type)
        self.error, self.time_us = error, time_us


class Request:
    """One request being shaped into spans under its root; model calls go through ``call``.

    >>> Request(draft, service, effect).run("agent", root_id, t0, None)  # doctest: +SKIP
    ('Hi!', 'Hello! How can I help you with your account or shipments today?', 1740992461000000)
    """

    def __init__(self, draft: TraceDraft, service: ServiceProfile, effect: Effect) -> None:
        self.draft, self.service, self.effect = draft, service, effect
        self.rng: random.Random = draft.rng
        names, weights = list(service.models), list(service.models.values())
        self.model = MODELS[self.rng.choices(names, weights)[0]]
        self.question = ""
        self.request_attrs: dict[str, Any] = {"gen_ai.request.max_tokens": service.max_tokens}
        if not self.model.reasoning:  # reasoning models take no temperature
            self.request_attrs["gen_ai.request.temperature"] = service.temperature
        if service.name in SYSTEM_INSTRUCTIONS:
            instructions = [{"type": "text", "content": SYSTEM_INSTRUCTIONS[service.name]}]
            self.request_attrs["gen_ai.system_instructions"] = json.dumps(instructions)

    def run(self, shape: str, root: str, t: int, history: QA | None) -> tuple[str, str, int]:
        """Spans of ``shape`` under ``root`` from ``t``: (question, answer, end time).

        Raises ``Aborted`` when a model call fails for good.
        """
        if shape in ("single_summary", "map_reduce"):
            return self._summarise(shape, root, t)
        if shape in ("rag", "rag_embed"):
            return self._search(shape, root, t)
        return self._support(shape, root, t, history)

    def call(
        self,
        parent: str,
        t: int,
        messages: list[dict[str, Any]],
        output_parts: list[dict[str, Any]],
        in_median: float,
        out_median: float,
        *,
        final: bool = False,
    ) -> ModelCall:
        """Call the model; after a failure, back off and retry once half the time."""
        stream = final and self.rng.random() < self.service.stream_share
        settings = {**self.request_attrs, "gen_ai.request.stream": stream}
        for attempt in range(2):
            fail_share, latency_factor = self.effect(self.model.provider, t)
            call = self.draft.chat(
                parent,
                t,
                self.model,
                messages,
                output_parts,
                in_median=in_median,
                out_median=out_median,
                settings=settings,
                fail_share=fail_share,
                latency_factor=latency_factor,
            )
            if call.error is None:
                return call
            if attempt == 1 or self.rng.random() < 0.5:
                break
            t = call.end_us + int(self.rng.uniform(0.2, 2.0) * US_PER_S)
        assert call.error is not None
        raise Aborted(call.error, call.end_us)

    def gap(self, t: int) -> int:
        """``t`` plus the app's own time between two steps (a few milliseconds)."""
        return t + self.rng.randint(1 * MS, 8 * MS)

    def _support(self, shape: str, root: str, t: int, history: QA | None) -> tuple[str, str, int]:
        rng, draft = self.rng, self.draft
        qa = rng.choice(SUPPORT_QA)
        self.question = qa.question
        messages = []
        if history:
            messages += [
                text_message("user", history.question),
                text_message("assistant", history.answer),
            ]
        answer_part = [{"type": "text", "content": qa.answer}]
        if shape == "single":
            messages.append(text_message("user", qa.question))
            call = self.call(root, t, messages, answer_part, 500, 120, final=True)
            return qa.question, qa.answer, call.end_us
        parent, num_tools, agent_start = root, 1, t
        if shape == "rag_tool":
            passages = rng.sample(KB_PASSAGES, 3)
            doc_ids = [doc_id for doc_id, _ in passages]
            t = self.gap(draft.retrieval(root, t, self.service.data_source, doc_ids))
            context = "\n".join(f"[{doc_id}] {text}" for doc_id, text in passages)
            messages.append(text_message("user", f"{qa.question}\n\nContext:\n{context}"))
        else:
            parent, num_tools = draft.new_span_id(), rng.choice((2, 2, 3))
            t += rng.randint(0, 2 * MS)
            messages.append(text_message("user", qa.question))
        error: Aborted | None = None
        try:
            for _ in range(num_tools):
                t = self.gap(self._tool_round(parent, t, messages))
            t = self.call(parent, t, messages, answer_part, 1900, 180, final=True).end_us
        except Aborted as aborted:
            error, t = aborted, aborted.time_us
        if shape == "agent":
            attrs = {
                "gen_ai.operation.name": "invoke_agent",
                "gen_ai.agent.name": "support_agent",
                "gen_ai.agent.id": "agent_support_v2",
                "gen_ai.tool.definitions": TOOL_DEFINITIONS,
            }
            t = self.gap(t)
            draft.add(
                "invoke_agent support_agent",
                "internal",
                root,
                agent_start,
                t,
                attrs,
                span_id=parent,
                error=error.error if error else None,
            )
        if error:
            raise Aborted(error.error, t)
        return qa.question, qa.answer, t

    def _tool_round(self, parent: str, t: int, messages: list[dict[str, Any]]) -> int:
        """The model picks a tool, the app runs it; both join ``messages``. Returns the end."""
        rng = self.rng
        tool = rng.choice(TOOLS)
        arguments = tool.make_arguments(rng)
        call_id = f"call_{rng.getrandbits(96):024x}"
        part = {"type": "tool_call", "id": call_id, "name": tool.name, "arguments": arguments}
        t = self.gap(self.call(parent, t, messages, [part], 1100, 45).end_us)
        t, result = self.draft.tool(parent, t, tool, call_id, arguments)
        response: dict[str, Any] = {"type": "tool_call_response", "id": call_id}
        response["result"] = result if result is not None else {"error": "tool failed"}
        messages.append({"role": "assistant", "parts": [part]})
        messages.append({"role": "tool", "parts": [response]})
        return t

    def _search(self, shape: str, root: str, t: int) -> tuple[str, str, int]:
        rng, draft = self.rng, self.draft
        qa = rng.choice(SEARCH_QA)
        self.question = qa.question
        if shape == "rag_embed":
            t = self.gap(draft.embeddings(root, t, qa.question))
        hit = rng.random() < CACHE_HIT_SHARE
        lookup_end = t + int(lognormal(rng, 0.003, 0.5) * US_PER_S)
        attrs = {"db.system.name": "redis", "db.operation.name": "GET", "app.cache.hit": hit}
        lookup_id = draft.add("semantic_cache lookup", "client", root, t, lookup_end, attrs)
        if hit:
            # The answer comes from the app's cache: no tokens spent, nothing to price.
            draft.calls.append(
                ModelCall(
                    lookup_id,
                    self.model,
                    t,
                    lookup_end,
                    input_tokens=0,
                    output_tokens=0,
                    cache_hit=True,
                )
            )
            return qa.question, qa.answer, lookup_end
        passages = rng.sample(KB_PASSAGES, 4)
        doc_ids = [doc_id for doc_id, _ in passages]
        t = self.gap(draft.retrieval(root, self.gap(lookup_end), self.service.data_source, doc_ids))
        context = "\n".join(f"[{doc_id}] {text}" for doc_id, text in passages)
        messages = [text_message("user", f"Passages:\n{context}\n\nQuestion: {qa.question}")]
        answer_part = [{"type": "text", "content": qa.answer}]
        call = self.call(root, t, messages, answer_part, 1300, 140, final=True)
        return qa.question, qa.answer, call.end_us

    def _summarise(self, shape: str, root: str, t: int) -> tuple[str, str, int]:
        rng = self.rng
        doc = rng.choice(DOCUMENTS)
        self.question = f"Summarise: {doc.title}"
        summary_part = [{"type": "text", "content": doc.summary}]
        if shape == "single_summary":
            prompt = f"Summarise the following document.\n\n# {doc.title}\n\n{doc.text}"
            messages = [text_message("user", prompt)]
            return (
                self.question,
                doc.summary,
                self.call(root, t, messages, summary_part, 2500, 150, final=True).end_us,
            )
        sentences = doc.text.split(". ")
        num_chunks = rng.choice((2, 3))
        size = -(-len(sentences) // num_chunks)
        chunks = [". ".join(sentences[i : i + size]) for i in range(0, len(sentences), size)]
        partials, ends = [], []
        failure: Aborted | None = None
        for n, chunk in enumerate(chunks, 1):  # the map calls run concurrently
            prompt = f"Summarise part {n} of {len(chunks)} of '{doc.title}':\n\n{chunk}"
            partial = chunk.split(". ")[0] + "."
            part = [{"type": "text", "content": partial}]
            start = t + rng.randint(0, 15 * MS)
            try:
                call = self.call(root, start, [text_message("user", prompt)], part, 3000, 180)
                ends.append(call.end_us)
            except Aborted as aborted:
                failure = failure or aborted
                ends.append(aborted.time_us)
            partials.append(partial)
        if failure:  # the request fails once every concurrent call has come back
            raise Aborted(failure.error, max(ends))
        prompt = "Combine these partial summaries into one:\n" + "\n".join(
            f"- {p}" for p in partials
        )
        messages = [text_message("user", prompt)]
        call = self.call(root, self.gap(max(ends)), messages, summary_part, 900, 200, final=True)
        return self.question, doc.summary, call.end_us
