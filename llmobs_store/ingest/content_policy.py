"""The content policy: capture switch, redactor and length limit, applied to one value."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from llmobs_store.config import Settings
from llmobs_store.ingest.redactors import Redactor, RegexRedactor, truncate


@dataclass(frozen=True, slots=True)
class ContentPolicy:
    """What happens to prompt and answer content before it is stored.

    >>> policy = ContentPolicy.from_settings(Settings.from_env())       # doctest: +SKIP
    >>> protected = protect_span(record, policy)                        # doctest: +SKIP

    With ``capture`` on, content is redacted, then cut at ``max_chars``; with it off, content
    is removed and the record marked ``llmobs.content_dropped``.
    """

    capture: bool = True
    max_chars: int = 20_000
    redactor: Redactor = field(default_factory=RegexRedactor)

    @classmethod
    def from_settings(cls, settings: Settings) -> ContentPolicy:
        """The policy of ``capture_content``, ``max_content_chars`` and ``redact_patterns``."""
        return cls(
            capture=settings.capture_content,
            max_chars=settings.max_content_chars,
            redactor=RegexRedactor(settings.redact_patterns),
        )

    def protect_text(self, text: str) -> str:
        """``text`` redacted, then truncated (redacting first never leaves half a secret)."""
        return truncate(self.redactor.redact(text), self.max_chars)

    def protect_value(self, value: Any, redact: Callable[[str], str] | None = None) -> Any:
        """An attribute value with every string inside it protected; other values as they are.

        A JSON text in which something was redacted is redacted again value by value and
        re-encoded: a match next to an escape (``\\nbob@x.io``) would otherwise break the JSON.
        ``redact`` replaces the redactor's own method (a per-span memo passes itself).
        """
        redact = redact or self.redactor.redact
        kind = type(value)
        if kind is str:
            redacted = redact(value)
            if redacted != value and value[:1] in ("[", "{"):
                try:
                    parsed = _decode_json(value)
                except ValueError:
                    pass
                else:
                    redacted = json.dumps(self._redact_tree(parsed, redact), ensure_ascii=False)
            return truncate(redacted, self.max_chars)
        if kind is list or kind is tuple:
            return [self.protect_value(v, redact) for v in value]
        if kind is dict:
            return {k: self.protect_value(v, redact) for k, v in value.items()}
        if kind is int and not -(10**12) < value < 10**12:
            return self._protect_number(value, redact)
        return value

    def _redact_tree(self, value: Any, redact: Callable[[str], str]) -> Any:
        kind = type(value)
        if kind is str:
            return redact(value)
        if kind is list:
            return [self._redact_tree(v, redact) for v in value]
        if kind is dict:
            return {k: self._redact_tree(v, redact) for k, v in value.items()}
        if kind is int and not -(10**12) < value < 10**12:
            return self._protect_number(value, redact)
        return value

    def _protect_number(self, value: int, redact: Callable[[str], str]) -> int | str:
        """A card number sent as a JSON number becomes its placeholder string."""
        text = str(value)
        redacted = redact(text)
        return value if redacted == text else redacted


_decode_json = json.JSONDecoder().decode
