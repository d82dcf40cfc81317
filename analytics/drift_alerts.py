"""Drift and performance alerts, evaluated after each ``scaleboard refresh`` (never on page loads).

For each model's latest version: drift of every feature and the prediction over the last 30 days
against the version's reference window (from profiles), and the last labelled week's performance
against its reference band. A breach becomes one ``alerts`` row; the alert id hashes model, kind,
subject, metric and the episode start (the first week of the current run of drifted weeks, or the
breached week), so re-running a refresh during the same episode writes nothing new.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import polars as pl

from analytics import drift_monitor, drift_performance, lakehouse
from analytics.alerts import Breach, raise_alerts
from analytics.errors import NoDataError

HISTORY_WEEKS = 104  # look back at most two years for the start of a drift episode
MIN_LABELLED = 50  # a week with fewer labels (delayed ground truth) is not judged


def _day(d) -> str:
    return f"{d.day} {d:%B %Y}"


def _at(d) -> datetime:
    return datetime.combine(d, time(), tzinfo=UTC)


def breaches(root: Path | str) -> list[Breach]:
    root = Path(root)
    con = lakehouse.connect(root)
    out: list[Breach] = []
    try:
        versions = drift_monitor.model_versions(con)
        latest = versions.sort("registered_at", descending=True).unique("model_id", keep="first")
        for v in latest.iter_rows(named=True):
            try:
                w = drift_monitor.default_windows(con, str(root), v["model_id"], v["version"])
            except NoDataError:
                continue
            out += _drift(con, root, v, w)
            out += _performance(con, v, w)
    finally:
        con.close()
    return out


def _drift(con, root: Path, v: dict, w: drift_monitor.Windows) -> list[Breach]:
    table = drift_monitor.drift_table(con, root=str(root), model_id=v["model_id"], version=v["version"],
                                      ref_start=w.ref_start, ref_end=w.ref_end, cur_start=w.cur_start,
                                      cur_end=w.cur_end)
    bad = table.filter(pl.col("status") == "drift")
    if bad.height == 0:
        return []
    history = drift_monitor.drift_history(con, root=str(root), model_id=v["model_id"], version=v["version"],
                                          ref_start=w.ref_start, ref_end=w.ref_end,
                                          start=max(w.ref_end, w.cur_end - timedelta(weeks=HISTORY_WEEKS)),
                                          end=w.cur_end)
    out = []
    for r in bad.iter_rows(named=True):
        since = drift_monitor.drift_since(history, r["column"]) or w.cur_start
        what = "Prediction drift" if r["column"] == "prediction" else f"Input drift in {r['column']}"
        if r["statistic"] is None:
            what = f"No values for {r['column']}"
        value = f" ({r['method']} {r['statistic']:.2f}, threshold {r['threshold']:.2f})" if r["statistic"] else ""
        out.append(Breach(
            model_id=v["model_id"], kind="drift",
            severity="critical" if (r["psi_status"] == "drift" or r["statistic"] is None) else "warning",
            metric=r["method"], subject=r["column"], value=r["statistic"], threshold=r["threshold"],
            window_start_at=_at(since), window_end_at=None,
            message=f"{what} since {_day(since)}{value} for {v['name']}."))
    return out


def _performance(con, v: dict, w: drift_monitor.Windows) -> list[Breach]:
    perf = drift_performance.performance(con, model_id=v["model_id"], version=None, ref_start=w.ref_start,
                                         ref_end=w.ref_end)
    if perf.height == 0:
        return []
    perf = perf.filter(pl.col("n_labelled") >= MIN_LABELLED)
    if perf.height == 0:
        return []
    last_week = perf["week_start"].max()
    rows = perf.filter((pl.col("week_start") == last_week) & pl.col("breach"))
    out = []
    for r in rows.iter_rows(named=True):
        metric = r["metric"].upper()
        out.append(Breach(
            model_id=v["model_id"], kind="performance", severity="critical", metric=r["metric"],
            subject=r["metric"], value=r["value"],
            threshold=r["band_low"] if drift_performance.HIGHER_IS_BETTER[r["metric"]] else r["band_high"],
            window_start_at=_at(r["week_start"]), window_end_at=_at(r["week_start"] + timedelta(days=7)),
            message=(f"{metric} of {v['name']} at {r['value']:.3f} in the week of {_day(r['week_start'])}, "
                     f"outside its usual range (reference {r['ref_mean']:.3f}).")))
    return out


def evaluate(root: Path | str) -> int:
    """Write the alerts for the latest window (once); return how many were new."""
    return raise_alerts(root, breaches(root))
