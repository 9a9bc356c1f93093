"""Where the captured OTLP request bodies live (copied from the team's shared fixtures).

``tests/fixtures/otlp/`` holds real bodies that the official OpenTelemetry Python exporters and
the OpenInference instrumentation sent, with their decoded ``expected/*.json`` and MANIFEST.md.
"""

from __future__ import annotations

from pathlib import Path

OTLP_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "otlp"
