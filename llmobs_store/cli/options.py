"""Options and error handling shared by every ``llmobs`` command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from llmobs_store.config import DEFAULT_DATABASE_URL
from llmobs_store.errors import LlmobsError

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    """``--db URL``: the database to use (flag, else LLMOBS_DATABASE_URL, else llmobs.duckdb)."""
    return click.option(
        "--db",
        "database_url",
        envvar="LLMOBS_DATABASE_URL",
        default=DEFAULT_DATABASE_URL,
        show_default=True,
        show_envvar=True,
        metavar="URL",
        help="Database URL: duckdb:///FILE or postgresql+psycopg://USER:PASS@HOST/DB.",
    )(func)


class LlmobsGroup(click.Group):
    """A click group that shows llmobs errors as one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LlmobsError as exc:
            raise click.ClickException(str(exc)) from exc
