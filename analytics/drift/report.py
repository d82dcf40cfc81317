"""Evidently's own drift report for the same frames: per-column scores (the oracle our engine is
tested and benchmarked against) and the full HTML report the drift explorer embeds on request.

Evidently is slow on large frames (about 43 s for 500k x 25 columns here), so the report is built
on a seeded sample of at most ``SAMPLE_ROWS`` rows per window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from analytics.errors import InputError

SAMPLE_ROWS = 20_000
_COLUMN = re.compile(r"ValueDrift\(column=(.*?),method=")


@dataclass(frozen=True)
class EvidentlyColumn:
    column: str
    method_label: str
    score: float
    drifted: bool


def _datasets(reference: pl.DataFrame, current: pl.DataFrame, numeric: list[str], categorical: list[str]):
    from evidently import DataDefinition, Dataset

    cols = numeric + categorical
    if not cols:
        raise InputError("No columns to compare in the Evidently report.")
    definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical)
    ref = Dataset.from_pandas(reference.select(cols).to_pandas(), data_definition=definition)
    cur = Dataset.from_pandas(current.select(cols).to_pandas(), data_definition=definition)
    return ref, cur


def run_preset(reference: pl.DataFrame, current: pl.DataFrame, *, numeric: list[str], categorical: list[str],
               method: str | None = None, threshold: float | None = None):
    """Evidently's ``DataDriftPreset`` snapshot for the two frames (current first, as Evidently wants)."""
    from evidently import Report
    from evidently.presets import DataDriftPreset

    ref, cur = _datasets(reference, current, numeric, categorical)
    return Report([DataDriftPreset(method=method, threshold=threshold)], include_tests=True).run(cur, ref)


def scores(snapshot) -> dict[str, EvidentlyColumn]:
    """Per-column drift score and verdict from a ``DataDriftPreset`` snapshot."""
    d = snapshot.dict()
    verdicts = {}
    for t in d.get("tests", []):
        name = t.get("name", "")
        if name.startswith("Value Drift for column "):
            verdicts[name.removeprefix("Value Drift for column ")] = t["status"] == "FAIL"
    out = {}
    for m in d["metrics"]:
        cfg = m.get("config", {})
        if cfg.get("type", "").endswith("ValueDrift"):
            col = cfg["column"]
            out[col] = EvidentlyColumn(col, cfg.get("method", ""), float(m["value"]), verdicts.get(col, False))
    return out


def sample(frame: pl.DataFrame, n: int = SAMPLE_ROWS, seed: int = 0) -> pl.DataFrame:
    return frame if frame.height <= n else frame.sample(n, seed=seed)


def report_html(reference: pl.DataFrame, current: pl.DataFrame, *, numeric: list[str],
                categorical: list[str], max_rows: int = SAMPLE_ROWS) -> str:
    """Evidently's full data drift report as a self-contained HTML page (windows sampled to
    ``max_rows`` rows each, seeded, so the same windows give the same report)."""
    if reference.height == 0 or current.height == 0:
        raise InputError("One of the windows has no rows; Evidently needs data in both.")
    snap = run_preset(sample(reference, max_rows), sample(current, max_rows), numeric=numeric,
                      categorical=categorical)
    return snap.get_html_str(as_iframe=False)
