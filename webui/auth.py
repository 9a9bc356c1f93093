"""API keys for the ingest endpoints: ``Authorization: Bearer <key>`` or ``X-API-Key``."""

from __future__ import annotations

import hmac

from flask import Request, Response

from llmobs_store.config import Settings
from webui.errors import error_response


def presented_key(request: Request) -> str | None:
    """The key a request carries, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("X-API-Key") or None


def key_is_valid(presented: str | None, keys: tuple[str, ...]) -> bool:
    """Compare against every configured key in constant time (no early exit on a match)."""
    if presented is None:
        return False
    given = presented.encode()
    matches = [hmac.compare_digest(given, key.encode()) for key in keys]
    return any(matches)


def require_api_key(settings: Settings, request: Request) -> Response | None:
    """None when the request may pass, else the 401 answer."""
    if not settings.api_keys or key_is_valid(presented_key(request), settings.api_keys):
        return None
    response = error_response(401, "missing or invalid API key")
    response.headers["WWW-Authenticate"] = 'Bearer realm="llmobs"'
    return response
