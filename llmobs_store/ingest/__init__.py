"""Ingestion: typed records, their columnar form, and the batch writer that commits them."""
