"""Which of the attribute keys normalisation looks for a span carries, found once per key set.

Spans of one instrumentation carry the same attribute keys in the same order, so the keys
present from each candidate list (``gen_ai.request.model``, ``llm.model_name``…) and the
keys under some prefixes are worked out for the first span of a key set and reused. Looking
only at present keys gives the same answers as trying every candidate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

# Producers may send ever new keys (indexed messages): the plans are dropped past this many.
_MAX_PLANS = 4_096


class KeyPlan(NamedTuple):
    """The present keys of each candidate group (in the group's order), and the keys under
    the prefixes, sorted in reverse."""

    groups: tuple[tuple[str, ...], ...]
    prefixed: tuple[str, ...]


class KeyPlanner:
    """Plans for one set of candidate groups and prefixes.

    >>> planner = KeyPlanner((("a", "b"), ("c",)), ("x.",))
    >>> planner.plan({"b": 1, "x.1": 2})
    KeyPlan(groups=(('b',), ()), prefixed=('x.1',))
    """

    def __init__(self, groups: tuple[tuple[str, ...], ...], prefixes: tuple[str, ...]) -> None:
        self._groups = groups
        self._prefixes = prefixes
        self._plans: dict[tuple[str, ...], KeyPlan] = {}

    def plan(self, attributes: Mapping[str, Any]) -> KeyPlan:
        """The plan of ``attributes``' key set."""
        key_set = tuple(attributes)
        found = self._plans.get(key_set)
        if found is None:
            present = set(key_set)
            found = KeyPlan(
                tuple(tuple(k for k in group if k in present) for group in self._groups),
                tuple(sorted((k for k in key_set if k.startswith(self._prefixes)), reverse=True)),
            )
            if len(self._plans) >= _MAX_PLANS:
                self._plans.clear()
            self._plans[key_set] = found
        return found
