"""Every llmobs model in one namespace: import this to get the complete metadata."""

from __future__ import annotations

from llmobs_store.db.alerts import AlertEvent, AlertRule
from llmobs_store.db.base import Base
from llmobs_store.db.logs import Log
from llmobs_store.db.metrics import MetricPoint, RequestSample
from llmobs_store.db.open_spans import OpenSpan
from llmobs_store.db.reference import ModelPrice, SavedQuery
from llmobs_store.db.rollups import DailyRollup
from llmobs_store.db.spans import Span, Trace

__all__ = [
    "AlertEvent",
    "AlertRule",
    "Base",
    "DailyRollup",
    "Log",
    "MetricPoint",
    "ModelPrice",
    "OpenSpan",
    "RequestSample",
    "SavedQuery",
    "Span",
    "Trace",
]
