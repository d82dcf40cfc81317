"""One writer per table: every ``storage.append`` to a lakehouse table sits in one module, the table's
owner (e.g. ``value_ledger`` in ``analytics.product.roi``). The demo generator and the generic loader
(``analytics.lakehouse``: storage, ingest) write any table by design and are left out."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from analytics.lakehouse import schema

PROJECT = Path(__file__).resolve().parents[3]
LEFT_OUT = ("analytics/demo/", "analytics/lakehouse/")


def _table_of(arg: ast.expr) -> str | None:
    """The table named by a call argument: a string literal, or ``SPEC.name`` of a schema constant."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.Attribute) and arg.attr == "name" and isinstance(arg.value, ast.Name):
        spec = getattr(schema, arg.value.id, None)
        return spec.name if isinstance(spec, schema.Table) else None
    return None


def writers(root: Path = PROJECT) -> dict[str, set[str]]:
    """Table -> modules that append to it with ``storage.append(root, <table>, ...)``."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted((root / "analytics").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(LEFT_OUT):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "storage"
                    and len(node.args) >= 2 and (table := _table_of(node.args[1]))):
                found[table].add(rel)
    return found


def test_every_table_has_one_writer_module():
    many = {t: sorted(m) for t, m in writers().items() if len(m) > 1}
    assert not many, f"tables written from more than one module: {many}"


def test_the_ledger_is_written_by_roi_only():
    assert writers()["value_ledger"] == {"analytics/product/roi.py"}


def test_the_scan_sees_a_second_writer(tmp_path):
    # the check can fail: two modules appending to one table (one by literal, one by schema constant)
    pkg = tmp_path / "analytics" / "x"
    pkg.mkdir(parents=True)
    (pkg / "a.py").write_text("storage.append(root, 'value_ledger', t)\n")
    (pkg / "b.py").write_text("storage.append(root, VALUE_LEDGER.name, t)\n")
    assert writers(tmp_path)["value_ledger"] == {"analytics/x/a.py", "analytics/x/b.py"}
