"""Alembic migration scripts for the llmobs schema (one chain for DuckDB and PostgreSQL)."""
