from __future__ import annotations

from pathlib import Path

from analytics.cli import build_parser, main
from analytics.cli.schema import markdown

PROJECT = Path(__file__).resolve().parents[3]


def test_docs_lakehouse_is_generated_from_the_schema():
    assert (PROJECT / "docs" / "lakehouse.md").read_text().strip() == markdown().strip(), \
        "run: .venv/bin/scaleboard schema > docs/lakehouse.md"


def test_every_subcommand_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert {"refresh", "schema"} <= set(sub.choices)
    for name, p in sub.choices.items():
        assert p.format_help(), name


def test_refresh_on_empty_lakehouse(lake, capsys):
    assert main(["refresh", "--lakehouse", str(lake.root)]) == 0
    assert "rollup_predictions_daily" in capsys.readouterr().out
