"""Per-request access to the app's store and settings, and the size-limited request body."""

from __future__ import annotations

from flask import current_app, request

from llmobs_store.config import Settings
from llmobs_store.errors import UnsupportedMediaType
from llmobs_store.ingest.payload import media_type, read_body
from llmobs_store.store import Store

JSON = "application/json"


def current_store() -> Store:
    """The store of the app handling this request."""
    store: Store = current_app.extensions["llmobs_store"]
    return store


def current_settings() -> Settings:
    """The settings of the app handling this request."""
    return current_store().settings


def request_body() -> bytes:
    """The request body, decompressed, refused past the size limit (counted decompressed)."""
    return read_body(
        request.stream,
        content_encoding=request.headers.get("Content-Encoding"),
        content_length=request.content_length,
        max_bytes=int(current_settings().max_request_mb * 1024 * 1024),
    )


def json_body(*, allow_empty: bool = False) -> bytes:
    """The body of a JSON API request; 415 unless it is sent as application/json."""
    body = request_body()
    if allow_empty and not body.strip():
        return body
    if media_type(request.content_type) != JSON:
        raise UnsupportedMediaType(f"send the body as {JSON}, not {request.content_type!r}")
    return body
