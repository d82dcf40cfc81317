"""docs/own-data.md, followed step by step on a small generated file of the shape of UCI Bike Sharing
`hour.csv`: the doc's own commands (each `$ scaleboard …` line, expected to fail exactly where the doc
shows an error), its baseline script and manifest; then every page opens without an error."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from analytics.cli import main as cli
from analytics.lakehouse import connection
from app.navigation import PAGES
from apptest import open_page

DOC = Path(__file__).resolve().parents[3] / "docs" / "own-data.md"
COLUMNS = ["instant", "dteday", "season", "yr", "mnth", "hr", "holiday", "weekday", "workingday", "weathersit", "temp", "atemp", "hum", "windspeed", "casual", "registered", "cnt"]


def hour_csv(path: Path) -> int:
    """The first 10 and the last 30 days of 2011-2012, hourly, in hour.csv's columns and value ranges."""
    rng = np.random.default_rng(16)
    days = [date(2011, 1, 1) + timedelta(d) for d in range(10)] + \
           [date(2012, 12, 31) - timedelta(d) for d in range(29, -1, -1)]
    rows = []
    for d in days:
        for hr in range(24):
            working = int(d.weekday() < 5)
            casual, registered = int(rng.integers(0, 40)), int(rng.integers(0, 200) * (1 + working))
            rows.append([len(rows) + 1, d.isoformat(), 1 if d.month < 3 else 4, d.year - 2011, d.month, hr, 0,
                         (d.weekday() + 1) % 7, working, int(rng.integers(1, 4)), round(rng.uniform(0.02, 1), 2),
                         round(rng.uniform(0, 1), 4), round(rng.uniform(0, 1), 2), round(rng.uniform(0, 0.8), 4),
                         casual, registered, casual + registered])
    pl.DataFrame(rows, schema=COLUMNS, orient="row").write_csv(path)
    return len(rows)


def doc_steps() -> tuple[list[tuple[list[str], bool]], str, str]:
    """(scaleboard commands with whether the doc shows them failing, baseline.py, manifest.yaml)."""
    text = DOC.read_text()
    commands = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        lines = block.splitlines()
        if lines[0].startswith("$ scaleboard "):
            commands.append((shlex.split(lines[0][2:])[1:], any(ln.startswith("error:") for ln in lines[1:])))
    baseline = re.search(r"```python\n(.*?)```", text, flags=re.S).group(1)
    manifest = re.search(r"\$ cat drop/manifest.yaml\n(.*?)```", text, flags=re.S).group(1)
    return commands, baseline, manifest


def follow_the_doc(folder: Path, monkeypatch) -> tuple[Path, int]:
    """Run docs/own-data.md's steps in ``folder`` on a generated hour.csv; (lakehouse, rows)."""
    n = hour_csv(folder / "hour.csv")
    (folder / "drop").mkdir()
    commands, baseline, manifest = doc_steps()
    (folder / "baseline.py").write_text(baseline)
    (folder / "drop" / "manifest.yaml").write_text(manifest)
    lake = folder / "lake"
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(lake))
    monkeypatch.chdir(folder)
    assert [c[0] for c, _ in commands] == ["ingest"] * 5 + ["refresh", "contracts", "check"]
    for i, (args, fails) in enumerate(commands):
        if args[:2] == ["ingest", "--dir"]:  # the doc runs its baseline script before the folder load
            subprocess.run([sys.executable, "baseline.py"], check=True, cwd=folder)
        assert cli(args) == (2 if fails else 0), (i, args)
    return lake, n


@pytest.mark.slow  # the whole worked example through the CLI, as a user runs it
def test_worked_example_on_a_generated_hour_csv(tmp_path, monkeypatch):
    lake, n = follow_the_doc(tmp_path, monkeypatch)
    con = connection.connect(lake)
    try:
        counts = {t: con.sql(f"select count(*) from {t}").fetchall()[0][0]
                  for t in ("models", "model_versions", "predictions", "outcomes", "features")}
        (task,), = con.sql("select task from models").fetchall()
    finally:
        con.close()
    assert counts == {"models": 1, "model_versions": 1, "predictions": n, "outcomes": n, "features": 12 * n}
    assert task == "regression"
    for page in PAGES:
        at = open_page(page.file.removesuffix(".py"), "admin")
        assert not at.exception, (page.file, at.exception)
        assert not at.error, (page.file, [e.value for e in at.error])
