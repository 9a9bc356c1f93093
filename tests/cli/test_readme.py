"""Every CLI command is documented in the README and has --help with an example."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from llmobs_store.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _commands(group: click.Group, prefix: str = "llmobs") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append((path, command))
    return found


COMMANDS = _commands(main)


def test_the_command_list_is_complete() -> None:
    names = {path for path, _ in COMMANDS}
    assert {"llmobs serve", "llmobs demo", "llmobs seed", "llmobs sql"} <= names
    assert {"llmobs db upgrade", "llmobs db downgrade", "llmobs db current"} <= names


def test_every_command_appears_in_the_readme() -> None:
    missing = [path for path, _ in COMMANDS if f"`{path}" not in README]
    assert missing == []


def test_every_command_has_help_with_an_example() -> None:
    runner = CliRunner()
    for path, _ in COMMANDS:
        result = runner.invoke(main, path.split()[1:] + ["--help"])
        assert result.exit_code == 0, path
        assert "Example:" in result.output, path
        assert "--db" in result.output, path


def test_make_targets_are_in_the_readme() -> None:
    assert "make demo" in README and "make test" in README
