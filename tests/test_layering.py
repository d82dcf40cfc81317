"""Imports go one way: pages -> app -> analytics. analytics never imports streamlit or app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


ANALYTICS = sorted((PROJECT / "analytics").rglob("*.py"))
APP = sorted((PROJECT / "app").rglob("*.py"))


@pytest.mark.parametrize("path", ANALYTICS, ids=lambda p: str(p.relative_to(PROJECT)))
def test_analytics_has_no_ui_imports(path: Path) -> None:
    bad = _imports(path) & {"streamlit", "app", "pages"}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", APP, ids=lambda p: str(p.relative_to(PROJECT)))
def test_app_does_not_import_pages(path: Path) -> None:
    assert "pages" not in _imports(path)


def test_the_check_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("import streamlit as st\nfrom app import ui\n")
    assert _imports(bad) >= {"streamlit", "app"}
