"""HTTP endpoints for machines: the JSON API, OTLP/HTTP on the same /v1 paths, health, metrics."""
