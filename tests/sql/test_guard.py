"""The allow-list: every escape attempt refused with a reason, ordinary analytics allowed."""

from __future__ import annotations

import pytest

from llmobs_store.errors import InvalidSql
from llmobs_store.sql.guard import check_read_only

DIALECTS = ["duckdb", "postgresql"]

# Escape attempts, each refused by the guard on both dialects. The runner tests replay them
# against real databases and check that nothing changed.
ESCAPES = [
    # files, through table functions, replacement scans, subqueries and CTEs
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/passwd')",
    "SELECT * FROM read_parquet('x.parquet')",
    "SELECT * FROM read_json('x.json')",
    "SELECT * FROM read_json_auto('x.json')",
    "SELECT * FROM read_ndjson('x.json')",
    "SELECT * FROM read_ndjson_auto('x.json')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM READ_CSV('/etc/passwd')",
    "SELECT * FROM \"read_csv\"('/etc/passwd')",
    "SELECT * FROM main.read_csv('/etc/passwd')",
    "SELECT * FROM 'data.csv'",
    "SELECT * FROM '/etc/passwd'",
    'SELECT * FROM "data.parquet"',
    "SELECT * FROM 'https://example.com/x.csv'",
    "SELECT * FROM (SELECT * FROM read_csv('/etc/passwd'))",
    "WITH f AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM f",
    "SELECT (SELECT count(*) FROM read_text('/etc/passwd'))",
    "SELECT 1 WHERE EXISTS (SELECT * FROM read_parquet('x.parquet'))",
    "SELECT * FROM spans UNION ALL SELECT * FROM read_csv('x.csv')",
    "SELECT * FROM spans s JOIN read_csv('x.csv') r ON true",
    "SELECT * FROM spans, LATERAL read_csv(spans.name)",
    "FROM read_csv('x.csv') SELECT *",
    "SELECT * FROM parquet_scan('x.parquet')",
    "SELECT * FROM sqlite_scan('x.db', 't')",
    "SELECT * FROM postgres_scan('host=x', 'public', 't')",
    "SELECT * FROM iceberg_scan('s3://b/t')",
    "SELECT * FROM delta_scan('s3://b/t')",
    "SELECT * FROM arrow_scan(1, 2, 3)",
    "SELECT sniff_csv('/etc/passwd')",
    # COPY, EXPORT, ATTACH, extensions
    "COPY spans TO '/tmp/spans.csv'",
    "COPY spans FROM '/tmp/spans.csv'",
    "COPY (SELECT * FROM spans) TO '/tmp/spans.parquet' (FORMAT parquet)",
    "COPY spans FROM PROGRAM 'id'",
    "EXPORT DATABASE '/tmp/dump'",
    "ATTACH '/tmp/other.db' AS other",
    "DETACH other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "UPDATE EXTENSIONS",
    "CREATE SECRET s (TYPE s3, KEY_ID 'k', SECRET 's')",
    "SELECT * FROM duckdb_secrets()",
    "SELECT * FROM duckdb_extensions()",
    "SELECT * FROM load_aws_credentials()",
    # settings and maintenance
    "SET enable_external_access = true",
    "SET LOCAL statement_timeout = 0",
    "RESET statement_timeout",
    "PRAGMA database_list",
    "SELECT * FROM pragma_database_size()",
    "CALL pragma_version()",
    "CHECKPOINT",
    "SELECT * FROM checkpoint()",
    "VACUUM",
    "VACUUM spans",
    "SELECT set_config('statement_timeout', '0', false)",
    "SELECT pg_catalog.set_config('transaction_read_only', 'off', true)",
    "USE other",
    # DML and DDL, plain and hidden
    "INSERT INTO spans SELECT * FROM spans",
    "UPDATE spans SET name = 'x'",
    "DELETE FROM spans",
    "MERGE INTO spans USING spans s ON true WHEN MATCHED THEN DELETE",
    "TRUNCATE spans",
    "CREATE TABLE x (a INT)",
    "CREATE TABLE x AS SELECT * FROM spans",
    "CREATE VIEW v AS SELECT 1",
    "CREATE MACRO m(a) AS a",
    "CREATE SEQUENCE s",
    "CREATE INDEX i ON spans (name)",
    "DROP TABLE spans",
    "ALTER TABLE spans ADD COLUMN z INT",
    "SELECT 1 INTO t",
    "SELECT * INTO copied FROM spans",
    "SELECT 1; DROP TABLE spans",
    "SELECT 1;DELETE FROM spans;",
    "SELECT 1 /* harmless */; DELETE FROM spans",
    "SELECT 1 -- harmless\n; DELETE FROM spans",
    "/* SELECT */ DELETE FROM spans",
    "WITH x AS (DELETE FROM spans RETURNING *) SELECT * FROM x",
    "WITH x AS (INSERT INTO spans DEFAULT VALUES RETURNING *) SELECT * FROM x",
    "WITH x AS (UPDATE spans SET name = 'x' RETURNING *) SELECT count(*) FROM x",
    # nested SQL, environment, sequences
    "SELECT * FROM query('DELETE FROM spans')",
    "SELECT * FROM query_table('spans')",
    "SELECT query_to_xml('SELECT 1', true, true, '')",
    "SELECT getenv('HOME')",
    "SELECT nextval('logs_id_seq')",
    "SELECT currval('logs_id_seq')",
    "SELECT setval('logs_id_seq', 1)",
    "SELECT lastval()",
    # PostgreSQL server functions
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT pg_read_binary_file('/etc/passwd')",
    "SELECT * FROM pg_ls_dir('.')",
    "SELECT * FROM pg_stat_file('postgresql.conf')",
    "SELECT lo_import('/etc/passwd')",
    "SELECT lo_export(1, '/tmp/x')",
    "SELECT * FROM dblink('host=x', 'SELECT 1') AS t(a int)",
    "SELECT pg_sleep(100)",
    "SELECT pg_terminate_backend(1)",
    "SELECT pg_advisory_lock(1)",
    "SELECT pg_notify('c', 'x')",
    "SELECT pg_reload_conf()",
    "SELECT txid_current()",
    "SELECT * FROM spans FOR UPDATE",
    # transactions and other statements
    "BEGIN",
    "START TRANSACTION",
    "COMMIT",
    "ROLLBACK",
    "PREPARE p AS SELECT 1",
    "EXECUTE p",
    "DEALLOCATE p",
    "LISTEN c",
    "NOTIFY c",
    "EXPLAIN ANALYZE DELETE FROM spans",
    "DESCRIBE spans",
    "SHOW TABLES",
    "PIVOT spans ON name USING count(*)",
    "",
    "   ;  ",
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("sql", ESCAPES)
def test_escape_attempts_are_refused(sql: str, dialect: str) -> None:
    with pytest.raises(InvalidSql):
        check_read_only(sql, dialect=dialect)


def test_the_corpus_is_large() -> None:
    assert len(ESCAPES) >= 30


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT model, count(*) AS calls FROM spans GROUP BY model ORDER BY calls DESC",
        "WITH t AS (SELECT trace_id FROM spans WHERE model = :m) SELECT count(*) FROM t",
        "SELECT * FROM spans s JOIN traces t ON t.trace_id = s.trace_id LIMIT 5",
        "SELECT name FROM spans UNION SELECT name FROM spans",
        "SELECT * FROM generate_series(1, 3)",
        "SELECT * FROM (VALUES (1), (2)) AS v(a)",
        "SELECT current_setting('TimeZone')",
        "SELECT * FROM spans WHERE name = 'a;b' AND name <> '--'",
        "SELECT * FROM spans WHERE name LIKE '%read_csv(%'",
    ],
)
def test_ordinary_queries_pass(sql: str, dialect: str) -> None:
    check_read_only(sql, dialect=dialect)


def test_duckdb_metadata_functions_pass() -> None:
    for sql in [
        "SELECT * FROM duckdb_settings()",
        "SELECT * FROM range(3)",
        "FROM duckdb_tables()",
    ]:
        check_read_only(sql, dialect="duckdb")


def test_postgres_size_helpers_pass() -> None:
    check_read_only("SELECT pg_size_pretty(pg_total_relation_size('spans'))", dialect="postgresql")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DELETE FROM spans", "only SELECT queries are allowed, not DELETE"),
        ("TRUNCATE spans", "only SELECT queries are allowed, not TRUNCATE"),
        ("LOAD httpfs", "only SELECT queries are allowed, not LOAD"),
        ("CHECKPOINT", "only SELECT queries are allowed, not CHECKPOINT"),
        (
            "WITH x AS (DELETE FROM spans RETURNING *) SELECT * FROM x",
            "only SELECT queries are allowed, not DELETE (inside the query)",
        ),
        ("SELECT * FROM read_csv('x.csv')", "the function read_csv() is not allowed"),
        ("SELECT getenv('HOME')", "the function getenv() is not allowed"),
        ("SELECT * FROM 'x.csv'", "reading files is not allowed: 'x.csv' is not a table name"),
        ("SELECT 1; DROP TABLE spans", "send exactly one statement (got 2)"),
        ("SELECT 1 INTO t", "SELECT ... INTO is not allowed: it creates a table"),
        ("", "the query is empty"),
    ],
)
def test_messages_say_what_to_change(sql: str, message: str) -> None:
    with pytest.raises(InvalidSql) as caught:
        check_read_only(sql, dialect="duckdb")
    assert str(caught.value) == message
