"""Prometheus exposition of what this process stored: LLM requests, tokens, cost, latency."""
