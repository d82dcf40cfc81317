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


def _module_graph(root: Path) -> dict[str, set[str]]:
    """Module -> project modules it imports (at any depth of the file: a lazy import counts too)."""
    mods: dict[str, Path] = {}
    for pkg in ("analytics", "app"):
        for p in (root / pkg).rglob("*.py"):
            parts = list(p.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            mods[".".join(parts)] = p
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, p in mods.items():
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for n in names:
                while n and n not in mods:
                    n = n.rpartition(".")[0]
                if n and n != m and not m.startswith(n + "."):  # a package's own __init__ is not an edge back
                    graph[m].add(n)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    assert _cycles(_module_graph(PROJECT)) == []


def test_the_cycle_check_can_fail(tmp_path: Path) -> None:
    pkg = tmp_path / "analytics"
    pkg.mkdir()
    (tmp_path / "app").mkdir()
    (pkg / "a.py").write_text("def f():\n    from analytics import b\n")  # lazy: still a cycle
    (pkg / "b.py").write_text("from analytics.a import f\n")
    assert _cycles(_module_graph(tmp_path)) == [["analytics.a", "analytics.b"]]


def test_every_code_path_the_docs_name_exists() -> None:
    """A doc that names a module, query or test that moved or never existed misleads a newcomer."""
    import re

    named = set()
    for doc in [PROJECT / "README.md", *sorted((PROJECT / "docs").glob("*.md"))]:
        named |= {(doc.name, m) for m in re.findall(
            r"\b((?:analytics|app|pages|bench|tests)/[A-Za-z0-9_/.-]+\.(?:py|sql))\b", doc.read_text())}
    missing = sorted((d, p) for d, p in named if not (PROJECT / p).exists())
    assert not missing, missing
