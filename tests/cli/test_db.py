"""``llmobs db`` upgrade, current and downgrade on both backends."""

from __future__ import annotations

from click.testing import CliRunner

from llmobs_store.cli import main
from llmobs_store.db import migrate

HEAD = migrate.head_revision()


def test_upgrade_current_downgrade(database_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["db", "current", "--db", database_url])
    assert (
        result.output
        == f"database at revision base; newest is {HEAD} (needs `llmobs db upgrade`)\n"
    )

    result = runner.invoke(main, ["db", "upgrade", "--db", database_url])
    assert result.exit_code == 0, result.output
    assert result.output == f"database at revision {HEAD}\n"

    result = runner.invoke(main, ["db", "current", "--db", database_url])
    assert result.output == f"database at revision {HEAD}; newest is {HEAD} (up to date)\n"

    result = runner.invoke(main, ["db", "downgrade", "base", "--db", database_url])
    assert result.exit_code == 0, result.output
    assert result.output == "database at revision base\n"


def test_database_url_from_the_environment(database_url: str) -> None:
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"LLMOBS_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    assert result.output == f"database at revision {HEAD}\n"
