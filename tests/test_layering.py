"""The library never imports the web layer; only the CLI adapter may start the web app."""

from __future__ import annotations

import ast
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[1] / "llmobs_store"
WEB_MODULES = ("flask", "webui", "werkzeug", "jinja2")


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_library_does_not_import_the_web_layer() -> None:
    offenders = {
        str(path.relative_to(LIBRARY.parent)): sorted(_imported_modules(path) & set(WEB_MODULES))
        for path in LIBRARY.rglob("*.py")
        if path.parent.name != "cli"
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_sees_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from flask import Flask\nimport webui.views\n")
    assert _imported_modules(sample) & set(WEB_MODULES) == {"flask", "webui"}
