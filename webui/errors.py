"""One place that turns errors into HTTP answers: JSON for the JSON API, Status for OTLP.

OTLP exporters retry 429/502/503/504 and drop data on anything else, so trouble on our side
(a busy writer, an unreachable database, a bug) is answered 503 with Retry-After, never 500.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, request
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from llmobs_store.errors import (
    IngestRejected,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    WriterBusy,
    WriterClosed,
)
from llmobs_store.ingest.otlp import encode_status

log = logging.getLogger(__name__)
RETRY_AFTER_S = 1
# google.rpc.Code for the Status body of each HTTP status we answer OTLP requests with.
_RPC_CODES = {401: 16, 404: 5, 413: 8, 429: 8, 503: 14}


def error_response(status: int, message: str, *, retry_after_s: float | None = None) -> Response:
    """``message`` with ``status``: a google.rpc.Status for OTLP requests, else JSON."""
    otlp_media = g.get("otlp_media_type")
    if otlp_media:
        body = encode_status(message, otlp_media, code=_RPC_CODES.get(status, 3))
        response = Response(body, status, content_type=otlp_media)
    else:
        response = jsonify(error=message)
        response.status_code = status
    if retry_after_s is not None:
        response.headers["Retry-After"] = str(max(1, round(retry_after_s)))
    return response


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on ``app``."""

    @app.errorhandler(ValidationError)
    def invalid_body(exc: ValidationError) -> Response:
        problems = [
            {"field": ".".join(str(p) for p in err["loc"]) or "body", "message": err["msg"]}
            for err in exc.errors()
        ]
        first = problems[0]
        response = jsonify(error=f"{first['field']}: {first['message']}", detail=problems)
        response.status_code = 422
        return response

    @app.errorhandler(PayloadTooLarge)
    def too_large(exc: PayloadTooLarge) -> Response:
        return error_response(413, str(exc))

    @app.errorhandler(UnsupportedMediaType)
    def unsupported(exc: UnsupportedMediaType) -> Response:
        return error_response(415, str(exc))

    @app.errorhandler(IngestRejected)
    def rejected(exc: IngestRejected) -> Response:
        # Undecodable OTLP is a 400 (never retried); a bad JSON API body is a 422 naming the field.
        return error_response(400 if g.get("otlp_media_type") else 422, str(exc))

    @app.errorhandler(NotFound)
    def not_found(exc: NotFound) -> Response:
        return error_response(404, str(exc))

    @app.errorhandler(WriterBusy)
    def busy(exc: WriterBusy) -> Response:
        # JSON clients get 429 (slow down); OTLP exporters retry 503 and 429 alike.
        status = 503 if g.get("otlp_media_type") else 429
        return error_response(status, str(exc), retry_after_s=exc.retry_after_s)

    @app.errorhandler(WriterClosed)
    def closing(exc: WriterClosed) -> Response:
        return error_response(503, "llmobs is shutting down", retry_after_s=RETRY_AFTER_S)

    @app.errorhandler(DBAPIError)
    def database_trouble(exc: DBAPIError) -> Response:
        log.warning("database error on %s %s: %s", request.method, request.path, exc)
        return error_response(503, "database unavailable, retry later", retry_after_s=5)

    @app.errorhandler(TimeoutError)
    def commit_timeout(exc: TimeoutError) -> Response:
        return error_response(503, "write not committed in time", retry_after_s=RETRY_AFTER_S)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return error_response(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        if request.path.startswith("/v1/"):
            return error_response(503, "internal error, retry later", retry_after_s=5)
        return error_response(500, "internal error")
