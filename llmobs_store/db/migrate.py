"""Alembic, driven from code: upgrade, downgrade, current revision and model/database drift."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.ddl.impl import DefaultImpl
from alembic.migration import MigrationContext
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Index, MetaData, text

import migrations


class DuckDBImpl(DefaultImpl):
    """Alembic's knowledge of DuckDB: transactional DDL, otherwise the defaults."""

    __dialect__ = "duckdb"
    transactional_ddl = True


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` pointing at the bundled ``migrations`` scripts."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def configure_context(
    context: EnvironmentContext, connection: Connection, metadata: MetaData
) -> None:
    """Configure a migration context for either dialect (used by ``migrations/env.py``)."""
    on_duckdb = connection.dialect.name == "duckdb"
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # DuckDB reflection loses JSON, TIMESTAMPTZ and DOUBLE: types are checked on PostgreSQL.
        compare_type=not on_duckdb,
        include_object=_include_object_for(connection.dialect.name),
    )


def _include_object_for(dialect_name: str) -> Any:
    """Hide indexes declared for another dialect only (``ddl_if``): they are absent by design."""

    def include_object(
        obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        if type_ == "index" and not reflected and isinstance(obj, Index):
            ddl_if = obj._ddl_if
            if ddl_if is not None and ddl_if.dialect is not None:
                wanted = (ddl_if.dialect,) if isinstance(ddl_if.dialect, str) else ddl_if.dialect
                return dialect_name in wanted
        return True

    return include_object


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several collector processes may start at once: one migrates, the others wait
            # for its transaction and then find nothing left to do.
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('llmobs schema migration'))"))
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to ``revision`` (``base`` removes every llmobs table)."""
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for a database llmobs never touched."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest revision the installed code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations directory has no revisions"
    return head


def schema_drift(engine: Engine, metadata: MetaData) -> list[Any]:
    """Differences between ``metadata`` and the database: empty when models and migrations agree."""
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": conn.dialect.name != "duckdb",
                "include_object": _include_object_for(conn.dialect.name),
            },
        )
        return list(compare_metadata(context, metadata))
