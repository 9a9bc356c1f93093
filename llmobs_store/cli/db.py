"""``llmobs db``: create, upgrade, downgrade and inspect the database schema."""

from __future__ import annotations

import click

from llmobs_store.cli.options import LlmobsGroup, db_option
from llmobs_store.db import migrate
from llmobs_store.db.engine import create_store_engine


@click.group(cls=LlmobsGroup)
def db() -> None:
    """Manage the schema with the bundled Alembic migrations.

    \b
    Example:
      llmobs db upgrade --db duckdb:///llmobs.duckdb
      llmobs db current --db postgresql+psycopg://llmobs:secret@localhost/llmobs
    """


@db.command()
@click.argument("revision", default="head")
@db_option
def upgrade(revision: str, database_url: str) -> None:
    """Bring the database to REVISION (default: the newest), creating tables as needed.

    \b
    Example:
      llmobs db upgrade --db duckdb:///llmobs.duckdb
    """
    engine = create_store_engine(database_url, pool_size=1)
    try:
        migrate.upgrade(engine, revision)
        click.echo(f"database at revision {migrate.current_revision(engine)}")
    finally:
        engine.dispose()


@db.command()
@click.argument("revision")
@db_option
def downgrade(revision: str, database_url: str) -> None:
    """Take the database back to REVISION ('base' drops every llmobs table and its data).

    \b
    Example:
      llmobs db downgrade base --db duckdb:///scratch.duckdb
    """
    engine = create_store_engine(database_url, pool_size=1)
    try:
        migrate.downgrade(engine, revision)
        click.echo(f"database at revision {migrate.current_revision(engine) or 'base'}")
    finally:
        engine.dispose()


@db.command()
@db_option
def current(database_url: str) -> None:
    """Print the database's revision and the newest one this llmobs knows.

    \b
    Example:
      llmobs db current --db duckdb:///llmobs.duckdb
    """
    engine = create_store_engine(database_url, pool_size=1)
    try:
        at = migrate.current_revision(engine) or "base"
    finally:
        engine.dispose()
    head = migrate.head_revision()
    state = "up to date" if at == head else "needs `llmobs db upgrade`"
    click.echo(f"database at revision {at}; newest is {head} ({state})")
