"""Drift and performance alerts, evaluated after each ``scaleboard refresh`` (never on page loads).

For each model's latest version (retired models are not judged): drift of every feature and the
prediction over the last 30 days against the version's reference window (from profiles), and the
last matured week's performance against its out-of-sample band (``drift.performance``; provisional
weeks are never judged). A feature is judged only with at least ``MIN_REF_ROWS`` reference and
``MIN_CUR_ROWS`` current values (see ``too_small``; docs/drift.md); a feature that stopped arriving
is judged (it is drift). A breach becomes one ``alerts`` row; the alert id hashes model, kind,
subject, metric and the episode start (the first drifted day of the first week of the current run
of drifted weeks, the day after a stopped feature's last value, or the breached week), so
re-running a refresh during the same episode writes nothing new.

**Estimated performance.** While a week's labels have not matured, a classifier's AUC is
estimated from its scores (``drift.estimate``, CBPE). When the newest estimated week falls below
the realised AUC's band, an alert of metric ``estimated_auc`` is raised ("to be confirmed when labels
arrive"). It resolves when a newer estimate is back in the band, and once every estimated week has
matured labels (the realised metric then judges the week: a breach raises its own alert, the
confirmation). A regressor's mean absolute error is estimated the same way by direct loss estimation
(``drift.estimate.estimate_loss``, DLE) and raises ``estimated_mae`` above the realised MAE's band.

**Resolution.** An open alert is resolved only when its subject (model and feature, or model and
metric) was judged in this evaluation, on enough data, and passed, or when its model is retired. An
alert whose subject was not judged this time (too few rows or labels, no profiles, no band), or that
still breaches as a later episode (a shifted feature that then stops arriving), stays open: a
subject that disappears is no evidence that it recovered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import polars as pl

from analytics import sql
from analytics.alerts import Breach, open_alerts, sync
from analytics.drift import estimate as drift_estimate
from analytics.drift import explain as drift_explain
from analytics.drift import monitor as drift_monitor
from analytics.drift import performance as drift_performance
from analytics.drift.policy import too_small
from analytics.errors import NoDataError
from analytics.lakehouse import connection
from analytics.lakehouse.objectstore import locate

HISTORY_WEEKS = 104  # look back at most two years for the start of a drift episode
MIN_LABELLED = drift_performance.MIN_LABELLED  # a week with fewer labels is provisional, not judged
DAY_SHARE = 0.5  # a day starts the episode when its own distance is >= half the current window's
KINDS = ("drift", "performance")
ESTIMATED = "estimated_auc"  # the metric and subject of an alert raised from estimated performance
ESTIMATED_LOSS = "estimated_mae"  # the same for a regressor (direct loss estimation)


def _day(d) -> str:
    return f"{d.day} {d:%B %Y}"


def _at(d) -> datetime:
    return datetime.combine(d, time(), tzinfo=UTC)


@dataclass(frozen=True)
class Evaluation:
    """One evaluation: the breaches, the (model, kind, subject) judged on enough data that passed,
    and the models whose alerts close because they are retired."""

    breaches: list[Breach]
    passed: set[tuple[str, str, str]]
    retired: set[str]


@dataclass(frozen=True)
class _Held(Breach):
    """An open alert kept open as it is (its subject was not judged): ``sync`` sees its id as current."""

    held_id: str = ""

    def alert_id(self) -> str:
        return self.held_id


def breaches(root: Path | str) -> list[Breach]:
    return evaluation(root).breaches


def evaluation(root: Path | str) -> Evaluation:
    root = locate(root)
    con = connection.connect(root)
    out: list[Breach] = []
    passed: set[tuple[str, str, str]] = set()
    try:
        versions = drift_monitor.model_versions(con)
        retired = set(sql.run(con, "drift_alerts_retired")["model_id"].to_list())
        latest = versions.sort("registered_at", descending=True).unique("model_id", keep="first")
        for v in latest.iter_rows(named=True):
            if v["model_id"] in retired:  # no longer serves: nothing to protect, nobody to page
                continue
            found, ok = _performance(con, v)
            out += found
            passed |= ok
            found, ok = _estimated(con, v) if v.get("task") != "regression" else _estimated_loss(con, root, v)
            out += found
            passed |= ok
            try:
                w = drift_monitor.default_windows(con, str(root), v["model_id"], v["version"])
            except NoDataError:
                continue
            found, ok = _drift(con, root, v, w)
            out += found
            passed |= ok
    finally:
        con.close()
    return Evaluation(out, passed, retired)


def _drift(con, root: Path, v: dict, w: drift_monitor.Windows) -> tuple[list[Breach], set]:
    table = drift_monitor.drift_table(con, root=str(root), model_id=v["model_id"], version=v["version"],
                                      ref_start=w.ref_start, ref_end=w.ref_end, cur_start=w.cur_start,
                                      cur_end=w.cur_end)
    ok = pl.Series([too_small(n_r, n_c, st) is None
                    for n_r, n_c, st in zip(table["n_ref"], table["n_cur"], table["statistic"], strict=True)],
                   dtype=pl.Boolean)
    passed = {(v["model_id"], "drift", c) for c in table.filter(ok & (pl.col("status") != "drift"))["column"]}
    bad = table.filter(ok & (pl.col("status") == "drift"))
    if bad.height == 0:
        return [], passed
    history = drift_monitor.drift_history(con, root=str(root), model_id=v["model_id"], version=v["version"],
                                          ref_start=w.ref_start, ref_end=w.ref_end,
                                          start=max(w.ref_end, w.cur_end - timedelta(weeks=HISTORY_WEEKS)),
                                          end=w.cur_end)
    last = drift_monitor.last_days(con, v["model_id"], v["version"])
    # a drifted input the model hardly uses is a warning, not critical (only a trusted ranking counts)
    shares = drift_explain.trusted(drift_explain.current(con, model_id=v["model_id"], version=v["version"]))
    out = []
    for r in bad.iter_rows(named=True):
        col = r["column"]
        if r["n_cur"] == 0:  # stopped arriving (or all missing): the episode starts after its last value
            seen = last.get(col)
            since = seen + timedelta(days=1) if seen and seen >= w.ref_end else w.cur_start
        else:
            since = drift_monitor.drift_since(history, col)
            since = first_drifted_day(con, root, v, w, col, since, r["statistic"]) if since else w.cur_start
        out.append(Breach(
            model_id=v["model_id"], kind="drift",
            severity="critical" if ((r["psi_status"] == "drift" or r["statistic"] is None)
                                    and shares.get(col, 1.0) >= drift_explain.MIN_IMPORTANCE) else "warning",
            metric=r["method"], subject=col, value=r["statistic"], threshold=r["threshold"],
            window_start_at=_at(since), window_end_at=None,
            message=drift_reason(col, since, v["name"], stopped=r["n_cur"] == 0)))
    return out, passed


def drift_reason(column: str, since: date, model_name: str, *, stopped: bool) -> str:
    """The alert's "why" in a full sentence without statistics jargon."""
    if stopped:
        return f"Input {column} of {model_name} has had no values since {_day(since)}: its feed may have stopped."
    if column == "prediction":
        return f"The predictions of {model_name} have shifted since {_day(since)}."
    return f"Input {column} of {model_name} has shifted since {_day(since)}."


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


def _performance(con, v: dict) -> tuple[list[Breach], set]:
    perf = drift_performance.performance(con, model_id=v["model_id"], version=None, ref_start=v["ref_start"],
                                         ref_end=v["ref_end"], val_start=v.get("val_start"),
                                         val_end=v.get("val_end"))
    if perf.height == 0:
        return [], set()
    # the last matured week outside the band weeks, with a band: provisional weeks are never judged
    perf = perf.filter(~pl.col("is_provisional") & ~pl.col("is_reference"))
    if perf.height == 0:
        return [], set()
    last_week = perf["week_start"].max()
    rows = perf.filter((pl.col("week_start") == last_week) & pl.col("band_low").is_not_null()
                       & pl.col("value").is_not_nan())
    passed = {(v["model_id"], "performance", m) for m in rows.filter(~pl.col("breach"))["metric"]}
    out = []
    for r in rows.filter(pl.col("breach")).iter_rows(named=True):
        higher = drift_performance.HIGHER_IS_BETTER[r["metric"]]
        label = drift_performance.METRIC_LABELS[r["metric"]]
        out.append(Breach(
            model_id=v["model_id"], kind="performance", severity="critical", metric=r["metric"],
            subject=r["metric"], value=r["value"], threshold=r["band_low"] if higher else r["band_high"],
            window_start_at=_at(r["week_start"]), window_end_at=_at(r["week_start"] + timedelta(days=7)),
            message=(f"The {label} of {v['name']} was {r['value']:.3f} in the week of {_day(r['week_start'])}, "
                     f"{'below' if higher else 'above'} its usual range of {r['band_low']:.3f} to "
                     f"{r['band_high']:.3f}.")))
    return out, passed


def _estimated(con, v: dict) -> tuple[list[Breach], set]:
    """The estimated-AUC alert of a classifier (see the module docstring)."""
    key = (v["model_id"], "performance", ESTIMATED)
    if v.get("task") not in (None, "classification"):
        return [], set()
    perf = drift_performance.performance(con, model_id=v["model_id"], version=v["version"], ref_start=v["ref_start"],
                                         ref_end=v["ref_end"], val_start=v.get("val_start"),
                                         val_end=v.get("val_end"))
    auc = perf.filter((pl.col("metric") == "auc") & pl.col("band_low").is_not_null()) if perf.height else perf
    if auc.height == 0:
        return [], set()
    try:
        est = drift_estimate.estimate(con, model_id=v["model_id"], version=v["version"],
                                      train_end=v["ref_end"])
    except NoDataError:
        return [], set()
    matured = set(auc.filter(~pl.col("is_provisional"))["week_start"].to_list())
    pending = est.filter(~pl.col("week_start").is_in(list(matured)) & ~pl.col("is_calibration")
                         & (pl.col("n_scored") >= MIN_LABELLED) & pl.col("est_auc").is_not_null())
    if pending.height == 0:
        return [], {key}  # every week has its labels: the realised metric judges them
    last = pending.sort("week_start").row(-1, named=True)
    low, high = auc["band_low"][0], auc["band_high"][0]
    if last["est_auc"] >= low:
        return [], {key}
    week = last["week_start"]
    return [Breach(
        model_id=v["model_id"], kind="performance", severity="warning", metric=ESTIMATED, subject=ESTIMATED,
        value=last["est_auc"], threshold=low, window_start_at=_at(week), window_end_at=_at(week + timedelta(days=7)),
        message=(f"The AUC of {v['name']} is estimated at {last['est_auc']:.3f} in the week of {_day(week)} from its "
                 f"scores, below its usual range of {low:.3f} to {high:.3f}; labels have not arrived yet to "
                 "confirm it."))], set()


def _estimated_loss(con, root: Path, v: dict) -> tuple[list[Breach], set]:
    """The estimated-MAE alert of a regressor: as ``_estimated``, with DLE and the band's upper edge."""
    key = (v["model_id"], "performance", ESTIMATED_LOSS)
    perf = drift_performance.performance(con, model_id=v["model_id"], version=v["version"], ref_start=v["ref_start"],
                                         ref_end=v["ref_end"], val_start=v.get("val_start"),
                                         val_end=v.get("val_end"))
    mae = perf.filter((pl.col("metric") == "mae") & pl.col("band_high").is_not_null()) if perf.height else perf
    if mae.height == 0:
        return [], set()
    try:
        est = drift_estimate.estimate_loss(con, root, model_id=v["model_id"], version=v["version"],
                                           train_end=v["ref_end"])
    except NoDataError:
        return [], set()
    matured = set(mae.filter(~pl.col("is_provisional"))["week_start"].to_list())
    pending = est.filter(~pl.col("week_start").is_in(list(matured)) & ~pl.col("is_calibration")
                         & (pl.col("n_scored") >= MIN_LABELLED) & pl.col("est_mae").is_not_null())
    if pending.height == 0:
        return [], {key}  # every week has its labels: the realised metric judges them
    last = pending.sort("week_start").row(-1, named=True)
    low, high = mae["band_low"][0], mae["band_high"][0]
    if last["est_mae"] <= high:
        return [], {key}
    week = last["week_start"]
    return [Breach(
        model_id=v["model_id"], kind="performance", severity="warning", metric=ESTIMATED_LOSS,
        subject=ESTIMATED_LOSS, value=last["est_mae"], threshold=high, window_start_at=_at(week),
        window_end_at=_at(week + timedelta(days=7)),
        message=(f"The mean absolute error of {v['name']} is estimated at {last['est_mae']:.3g} in the week of "
                 f"{_day(week)} from its inputs, above its usual range of {low:.3g} to {high:.3g}; labels have "
                 "not arrived yet to confirm it."))], set()


def held_open(alerts: pl.DataFrame, ev: Evaluation) -> list[Breach]:
    """The open drift/performance alerts that stay open although not among the current breaches:
    their subject did not pass on enough data this time (and their model is not retired)."""
    out = []
    for r in alerts.filter(pl.col("kind").is_in(list(KINDS))).iter_rows(named=True):
        if r["model_id"] in ev.retired or (r["model_id"], r["kind"], r["subject"]) in ev.passed:
            continue
        out.append(_Held(r["model_id"], r["kind"], r["severity"], r["metric"], r["subject"], r["value"],
                         r["threshold"], r["window_start_at"], r["window_end_at"], r["message"],
                         held_id=r["alert_id"]))
    return out


def evaluate(root: Path | str) -> int:
    """Write the alerts for the latest window (once) and resolve those judged and passed; return
    how many were new."""
    ev = evaluation(root)
    con = connection.connect(root, tables=["alerts"])
    try:
        still_open = open_alerts(con)
    finally:
        con.close()
    raised, _resolved = sync(root, ev.breaches + held_open(still_open, ev), kinds=KINDS)
    return raised
