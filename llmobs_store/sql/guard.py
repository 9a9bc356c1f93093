"""The allow-list for ad-hoc SQL: one read-only query, nothing that touches files or state."""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from llmobs_store.errors import InvalidSql

# Statement and clause types that change data, schema, settings or reach outside the database.
_FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.TruncateTable,
    exp.Copy,
    exp.Attach,
    exp.Detach,
    exp.Set,
    exp.Pragma,
    exp.Command,
    exp.Into,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.LoadData,
    exp.Use,
)
# Functions that read files, run nested SQL, reveal the environment or advance sequences.
_FORBIDDEN_FUNCTION_PREFIXES = (
    "read_",
    "glob",
    "query",
    "getenv",
    "nextval",
    "setval",
    "currval",
    "pg_read",
    "pg_ls",
    "pg_stat_file",
    "lo_",
    "dblink",
    "sniff_csv",
    "parquet_",
    "iceberg_",
    "delta_scan",
    "sqlite_",
    "postgres_",
    "mysql_",
    "install",
    "load",
    "set_config",
    "pg_sleep",
)


def check_read_only(sql: str, *, dialect: str) -> exp.Query:
    """Parse ``sql`` and return its tree if it is a single read-only query; else ``InvalidSql``.

    ``dialect`` is the SQLAlchemy dialect name (``duckdb`` or ``postgresql``).
    """
    read = "postgres" if dialect == "postgresql" else dialect
    try:
        statements = [s for s in sqlglot.parse(sql, read=read) if s is not None]
    except ParseError as exc:
        raise InvalidSql(f"could not parse the query: {exc.errors[0]['description']}") from exc
    if len(statements) != 1:
        raise InvalidSql(f"send exactly one statement (got {len(statements)})")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        raise InvalidSql(f"only SELECT queries are allowed, not {tree.key.upper()}")
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            raise InvalidSql(f"{node.key.upper()} is not allowed in a read-only query")
        if isinstance(node, exp.Func):
            name = _function_name(node)
            if name.startswith(_FORBIDDEN_FUNCTION_PREFIXES):
                raise InvalidSql(f"the function {name}() is not allowed")
    return tree


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return str(node.sql_name()).lower()
