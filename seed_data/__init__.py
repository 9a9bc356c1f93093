"""Deterministic demo telemetry for llmobs: a support bot, a docs search and a summariser."""

from seed_data.generate import DEFAULT_DAYS, DEFAULT_NUM_TRACES, DemoBatch, generate
from seed_data.loader import DemoSummary, load_demo

__all__ = [
    "DEFAULT_DAYS",
    "DEFAULT_NUM_TRACES",
    "DemoBatch",
    "DemoSummary",
    "generate",
    "load_demo",
]
