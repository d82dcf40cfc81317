"""Drift and performance alerts, evaluated after each ``scaleboard refresh`` (never on page loads).

For each model's latest version (retired models are not judged): drift of every feature and the
prediction over the last 30 days against the version's reference window (from profiles), and the last
labelled week's performance against its reference band. A feature is judged only with at least
``MIN_REF_ROWS`` reference and ``MIN_CUR_ROWS`` current values (see ``too_small``; docs/drift.md).
A breach becomes one ``alerts`` row; the alert id hashes model, kind, subject, metric and the episode
start (the first drifted day of the first week of the current run of drifted weeks, or the breached
week), so re-running a refresh during the same episode writes nothing new.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import polars as pl

from analytics import sql
from analytics.alerts import Breach, sync
from analytics.drift import monitor as drift_monitor
from analytics.drift import performance as drift_performance
from analytics.drift.policy import too_small
from analytics.errors import NoDataError
from analytics.lakehouse import connection

HISTORY_WEEKS = 104  # look back at most two years for the start of a drift episode
MIN_LABELLED = 50  # a week with fewer labels (delayed ground truth) is not judged
DAY_SHARE = 0.5  # a day starts the episode when its own distance is >= half the current window's


def _day(d) -> str:
    return f"{d.day} {d:%B %Y}"


def _at(d) -> datetime:
    return datetime.combine(d, time(), tzinfo=UTC)


def breaches(root: Path | str) -> list[Breach]:
    root = Path(root)
    con = connection.connect(root)
    out: list[Breach] = []
    try:
        versions = drift_monitor.model_versions(con)
        retired = set(sql.run(con, "drift_alerts_retired")["model_id"].to_list())
        latest = versions.sort("registered_at", descending=True).unique("model_id", keep="first")
        for v in latest.iter_rows(named=True):
            if v["model_id"] in retired:  # no longer serves: nothing to protect, nobody to page
                continue
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
    judged = [too_small(n_r, n_c, st) is None
              for n_r, n_c, st in zip(table["n_ref"], table["n_cur"], table["statistic"], strict=True)]
    bad = table.filter(pl.Series(judged, dtype=pl.Boolean) & (pl.col("status") == "drift"))
    if bad.height == 0:
        return []
    history = drift_monitor.drift_history(con, root=str(root), model_id=v["model_id"], version=v["version"],
                                          ref_start=w.ref_start, ref_end=w.ref_end,
                                          start=max(w.ref_end, w.cur_end - timedelta(weeks=HISTORY_WEEKS)),
                                          end=w.cur_end)
    out = []
    for r in bad.iter_rows(named=True):
        since = drift_monitor.drift_since(history, r["column"])
        since = first_drifted_day(con, root, v, w, r["column"], since, r["statistic"]) if since else w.cur_start
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


def first_drifted_day(con, root: Path, v: dict, w: drift_monitor.Windows, feature: str, week: date,
                      episode: float | None) -> date:
    """The first day of the episode's first week (a monday) that looks like the episode on its own:
    drifted, with a distance of at least ``DAY_SHARE`` of the current window's (one day holds few
    rows, so a stable day's sampling noise alone can pass the threshold; measured: 0.19 on a
    stable day of 60 rows, PSI up to 0.98). The week's start when no single day qualifies."""
    for k in range(7):
        day = week + timedelta(days=k)
        if day > w.cur_end:
            break
        try:
            t = drift_monitor.drift_table(con, root=str(root), model_id=v["model_id"], version=v["version"],
                                          ref_start=w.ref_start, ref_end=w.ref_end, cur_start=day, cur_end=day)
        except NoDataError:
            continue
        row = t.filter(pl.col("column") == feature)
        if row.height and row["status"][0] == "drift" and (
                episode is None or (row["statistic"][0] or 0.0) >= DAY_SHARE * episode):
            return day
    return week


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
    raised, _resolved = sync(root, breaches(root), kinds=("drift", "performance"))
    return raised
