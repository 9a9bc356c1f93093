"""Exports: the CSV cost report and Parquet copies of llmobs tables."""

from llmobs_store.export.cost_report import (
    cost_report_columns,
    cost_report_query,
    iter_cost_rows,
    parse_group_by,
    stream_cost_csv,
)
from llmobs_store.export.csv_stream import CsvLimitExceeded, neutralise, stream_csv
from llmobs_store.export.parquet import export_parquet, time_column

__all__ = [
    "CsvLimitExceeded",
    "cost_report_columns",
    "cost_report_query",
    "export_parquet",
    "iter_cost_rows",
    "neutralise",
    "parse_group_by",
    "stream_cost_csv",
    "stream_csv",
    "time_column",
]
