"""The allow-list for ad-hoc SQL: one read-only query, nothing that touches files or state.

The guard is the first of three layers (then a READ ONLY transaction, then DuckDB's
instance-wide ``enable_external_access=false``), so it refuses whatever it cannot prove
harmless: unparsed statements, any non-query node, table functions outside a short list.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from llmobs_store.errors import InvalidSql

# Statement and clause types that change data, schema, settings or reach outside the database,
# wherever they sit in the tree (a CTE body, a subquery...). ``exp.Command`` is sqlglot's
# fallback for statements it does not parse (LOAD, CALL, VACUUM, EXPLAIN...): never run those.
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
    exp.Install,
    exp.Set,
    exp.Pragma,
    exp.Command,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.LoadData,
    exp.Use,
    exp.Describe,
    exp.Summarize,
    exp.Show,
)
# Table functions that only compute or describe the schema; every other one may reach outside
# (read_csv, glob, sqlite_scan, query_table, duckdb_secrets...) and is refused.
_ALLOWED_TABLE_FUNCTIONS = frozenset(
    {
        "range",
        "generate_series",
        "exploding_generate_series",
        "generate_subscripts",
        "unnest",
        "json_each",
        "json_tree",
        "json_array_elements",
        "json_array_elements_text",
        "json_each_text",
        "jsonb_each",
        "jsonb_each_text",
        "jsonb_array_elements",
        "jsonb_array_elements_text",
        "regexp_split_to_table",
        "string_to_table",
        "duckdb_settings",
        "duckdb_tables",
        "duckdb_columns",
        "duckdb_views",
        "duckdb_indexes",
        "duckdb_schemas",
        "duckdb_types",
        "duckdb_functions",
        "duckdb_constraints",
    }
)
# Scalar functions that read files, run nested SQL, reveal the environment, advance sequences,
# change settings, sleep or take locks (matched as name prefixes).
_FORBIDDEN_FUNCTION_PREFIXES = (
    "read_",
    "glob",
    "query",
    "cursor_to_xml",
    "getenv",
    "nextval",
    "setval",
    "currval",
    "lastval",
    "pg_",
    "lo_",
    "dblink",
    "sniff_csv",
    "parquet_",
    "iceberg_",
    "delta_",
    "sqlite_",
    "postgres_",
    "mysql_",
    "install",
    "load",
    "set_config",
    "txid_",
    "checkpoint",
    "force_checkpoint",
)
# Harmless PostgreSQL helpers that the ``pg_`` prefix would otherwise catch.
_ALLOWED_PG_FUNCTIONS = frozenset(
    {
        "pg_typeof",
        "pg_size_pretty",
        "pg_column_size",
        "pg_relation_size",
        "pg_total_relation_size",
        "pg_table_size",
        "pg_indexes_size",
        "pg_database_size",
    }
)
# A table name with one of these characters is a file path or URL to DuckDB's replacement scan.
_PATH_CHARACTERS = frozenset("./\\:*?~")


def check_read_only(sql: str, *, dialect: str) -> exp.Query:
    """Parse ``sql`` and return its tree if it is a single read-only query; else ``InvalidSql``.

    ``dialect`` is the SQLAlchemy dialect name (``duckdb`` or ``postgresql``).

    >>> check_read_only("DELETE FROM spans", dialect="duckdb")
    Traceback (most recent call last):
    llmobs_store.errors.InvalidSql: only SELECT queries are allowed, not DELETE
    """
    read = "postgres" if dialect == "postgresql" else dialect
    try:
        statements = [s for s in sqlglot.parse(sql, read=read) if s is not None]
    except ParseError as exc:
        raise InvalidSql(f"could not parse the query: {exc.errors[0]['description']}") from exc
    except TokenError as exc:
        raise InvalidSql(f"could not parse the query: {exc}") from exc
    if not statements:
        raise InvalidSql("the query is empty")
    if len(statements) != 1:
        raise InvalidSql(f"send exactly one statement (got {len(statements)})")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        raise InvalidSql(f"only SELECT queries are allowed, not {_statement_name(tree)}")
    for node in tree.walk():
        _check_node(node)
    return tree


def _check_node(node: exp.Expr) -> None:
    if isinstance(node, _FORBIDDEN_NODES):
        raise InvalidSql(
            f"only SELECT queries are allowed, not {_statement_name(node)} (inside the query)"
        )
    if isinstance(node, exp.Into):
        raise InvalidSql("SELECT ... INTO is not allowed: it creates a table")
    if isinstance(node, exp.Lock):
        raise InvalidSql("SELECT ... FOR UPDATE/SHARE is not allowed: it locks rows")
    if isinstance(node, exp.Table):
        _check_table_source(node)
    elif isinstance(node, exp.Lateral) and isinstance(node.this, exp.Func):
        _check_table_function(node.this)
    elif isinstance(node, exp.Lateral) and not isinstance(node.this, exp.Subquery):
        raise InvalidSql("this LATERAL form is not allowed")
    elif isinstance(node, exp.Func):
        name = _function_name(node)
        if name.startswith(_FORBIDDEN_FUNCTION_PREFIXES) and name not in _ALLOWED_PG_FUNCTIONS:
            raise InvalidSql(f"the function {name}() is not allowed")


def _check_table_source(table: exp.Table) -> None:
    source = table.this
    if isinstance(source, exp.Identifier):
        if _PATH_CHARACTERS & set(source.name):
            raise InvalidSql(f"reading files is not allowed: {source.name!r} is not a table name")
    elif isinstance(source, exp.Func):
        _check_table_function(source)
    elif isinstance(source, exp.Literal) and source.is_string:
        raise InvalidSql(f"reading files is not allowed: FROM {source.sql()}")
    elif source is not None or not table.args.get("rows_from"):
        raise InvalidSql(f"this table source is not allowed: {table.sql()}")


def _check_table_function(func: exp.Func) -> None:
    name = _function_name(func)
    if name not in _ALLOWED_TABLE_FUNCTIONS:
        raise InvalidSql(f"the function {name}() is not allowed")


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return str(node.sql_name()).lower()


def _statement_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    if isinstance(node, exp.TruncateTable):
        return "TRUNCATE"
    if isinstance(node, exp.Alias | exp.Column):
        # sqlglot reads an unknown bare keyword (CHECKPOINT, START TRANSACTION) as a name.
        return node.sql().split()[0].upper()
    return node.key.upper()
