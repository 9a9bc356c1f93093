"""``/metrics`` and the seed's ``/v1/metrics/prometheus``: the exposition, content-negotiated."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from llmobs_store.prometheus.exposition import PrometheusExposition

prometheus = Blueprint("prometheus", __name__)


@prometheus.get("/metrics")
@prometheus.get("/v1/metrics/prometheus")
def get_metrics() -> Response:
    """Text format 0.0.4 by default, OpenMetrics 1.0 when the Accept header asks for it."""
    exposition: PrometheusExposition = current_app.extensions["llmobs_exposition"]
    body, content_type = exposition.render(request.headers.get("Accept"))
    return Response(body, 200, content_type=content_type)
