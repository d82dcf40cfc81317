"""A model's one-page health report: value and ROI, adoption, open alerts, drift and accuracy.

Each figure comes from the function the page showing it uses: ``roi.model_value`` (Value & ROI's
model table), ``adoption.adoption_by(dimension="model_id")`` (Adoption), ``alerts.open_alerts`` and
``overview.models_needing_attention`` (Overview), ``drift_monitor.drift_table`` for the newest
version over its default windows (Drift explorer) and ``drift_performance.performance``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from analytics import alerts
from analytics.drift import monitor as drift_monitor
from analytics.drift import performance as drift_performance
from analytics.errors import InputError, NoDataError
from analytics.product import adoption, overview, portfolio, roi
from analytics.product.scope import Scope
from analytics.report import charts, fmt
from analytics.report.pdf import Report, Tile
from analytics.report.scope import footer, window
from analytics.report.tables import Col, humanize

MAX_ALERTS, MAX_FEATURES = 6, 10  # one page: the rest is one click away in the app
ROI_COL = Col("roi", "ROI", "number", "percent")  # as the Value & ROI page's model table shows it


@dataclass(frozen=True)
class ModelPack:
    scope: Scope
    model: dict  # the inventory row
    value: dict | None  # roi.model_value row (None: no ledger figures)
    monthly: pl.DataFrame  # month, net_usd for this model, months in the window
    adoption: dict | None  # adoption_by row
    attention: dict | None  # models_needing_attention row (None: no open alert)
    open_alerts: pl.DataFrame
    version: str | None
    windows: drift_monitor.Windows | None
    drift: pl.DataFrame | None
    drift_note: str | None  # why there is no drift table
    performance: pl.DataFrame
    data_as_of: date | None
    generated_at: datetime


def _row(df: pl.DataFrame, model_id: str) -> dict | None:
    hit = df.filter(pl.col("model_id") == model_id)
    return hit.row(0, named=True) if hit.height else None


def model_pack(con: duckdb.DuckDBPyConnection, scope: Scope, *, root: Path | str, model_id: str,
               now: datetime | None = None) -> ModelPack:
    """Everything the health report shows for ``model_id`` in the scope's window (raises InputError
    for an unknown model or one outside the scope's business units)."""
    model = _row(portfolio.models(con, scope), model_id)
    if model is None:
        raise InputError(f"There is no model '{model_id}' in the lakehouse.",
                         hint="List the models with the Catalog page or the models table.")
    monthly = (scope.run(con, "roi_model_month")  # a month counts when its first day is in the window
               .filter((pl.col("model_id") == model_id) & (pl.col("month") >= scope.start))
               .select("month", net_usd=pl.col("benefit_usd") - pl.col("cost_usd")).sort("month"))
    versions = drift_monitor.model_versions(con).filter(pl.col("model_id") == model_id)
    newest = versions.row(0, named=True) if versions.height else None  # newest registered first
    version = newest["version"] if newest else None
    windows = drift = note = None
    perf = pl.DataFrame()
    try:
        if version is None:
            raise NoDataError("No registered version: nothing to compare.")
        windows = drift_monitor.default_windows(con, str(root), model_id, version)
        drift = drift_monitor.drift_table(con, root=str(root), model_id=model_id, version=version,
                                          ref_start=windows.ref_start, ref_end=windows.ref_end,
                                          cur_start=windows.cur_start, cur_end=windows.cur_end)
    except NoDataError as exc:
        note = str(exc)
    # as the Drift explorer and the alerts: every version, the band from the newest version's windows
    perf = drift_performance.performance(con, model_id=model_id, version=None,
                                         ref_start=newest["ref_start"] if newest else None,
                                         ref_end=newest["ref_end"] if newest else None,
                                         val_start=newest["val_start"] if newest else None,
                                         val_end=newest["val_end"] if newest else None)
    return ModelPack(
        scope=scope, model=model,
        value=_row(roi.model_value(con, scope), model_id),
        monthly=monthly,
        adoption=_row(adoption.adoption_by(con, scope, "model_id"), model_id),
        attention=_row(overview.models_needing_attention(con, scope), model_id),
        open_alerts=alerts.open_alerts(con).filter(pl.col("model_id") == model_id),
        version=version, windows=windows, drift=drift, drift_note=note, performance=perf,
        data_as_of=portfolio.filter_options(con).max_date, generated_at=now or datetime.now(UTC))


def tiles(pack: ModelPack) -> list[Tile]:
    v, a, att = pack.value or {}, pack.adoption, pack.attention
    payback = v.get("payback_month")
    return [
        Tile("Net value in the window", fmt.usd(v.get("net_usd")),
             note=f"benefit {fmt.usd(v.get('benefit_usd'))}, cost {fmt.usd(v.get('cost_usd'))}"),
        Tile("ROI", ROI_COL.text(v.get("roi")), note="(benefit - cost) / cost in the window"),
        Tile("NPV", fmt.usd(v.get("npv_usd")), note="of the window's monthly net"),
        Tile("Net to date", fmt.usd(v.get("net_to_date_usd")),
             note=f"paid back {payback:%b %Y}" if payback else "not paid back yet"),
        Tile("Adoption rate", fmt.pct(a["adoption_rate"]) if a else "–",
             note=f"{fmt.count(a['n_tried'])} of {fmt.count(a['n_eligible'])} eligible users" if a else None),
        Tile("Open alerts", fmt.count(pack.open_alerts.height),
             note=f"severity {att['severity']}" if att else "within every threshold"),
        Tile("Monthly value at risk", fmt.usd(att["value_at_risk_usd"]) if att else fmt.usd(0.0),
             note="benefit of a month, while alerts are open"),
        Tile("Attribution", roi.ATTRIBUTION_LABELS.get(v.get("attribution"), "–") if v.get("attribution") else "–",
             note="what backs most of the benefit"),
    ]


ALERTS = [Col("kind", "Kind", width=0.8), Col("severity", "Severity", width=0.8),
          Col("message", "What", width=4.2), Col("created_at", "Raised", "date", "D MMM YYYY", width=0.9)]
DRIFT = [Col("column", "Feature", width=1.8), Col("status", "Status", width=0.7), Col("method", "Method", width=1.6),
         Col("statistic", "Statistic", "number", "%.3f", width=0.8), Col("threshold", "Threshold", "number",
                                                                             width=0.8),
         Col("psi", "PSI", "number", "%.3f", width=0.7), Col("psi_status", "PSI band", width=0.8),
         Col("n_cur", "Rows cur", "number", "localized", width=0.8)]


def model_pdf(con: duckdb.DuckDBPyConnection, scope: Scope, *, root: Path | str, model_id: str,
              paper: str = "a4", now: datetime | None = None) -> bytes:
    """The model's health on one page (A4 or Letter)."""
    return render_pdf(model_pack(con, scope, root=root, model_id=model_id, now=now), paper=paper)


def render_pdf(pack: ModelPack, *, paper: str = "a4") -> bytes:
    """The PDF of ``pack`` ("a4" or "letter"); charts are drawn for white paper whatever the theme."""
    with charts.printing():
        return _render_pdf(pack, paper=paper)


def _render_pdf(pack: ModelPack, *, paper: str = "a4") -> bytes:
    m = pack.model
    doc = Report(title=f"{m['name']}: model health", paper=paper,
                 subtitle=f"{m['model_id']} · {m['business_unit']} · owner {m.get('owner') or '–'} · stage "
                          f"{(m.get('stage') or '–').replace('_', ' ')} · risk tier {m.get('risk_tier') or '–'}"
                          f" · newest version {pack.version or '–'}. Value and adoption over "
                          f"{window(pack.scope)}; alerts and drift as of now.",
                 footer=footer(pack.scope, pack.data_as_of, pack.generated_at))
    doc.tiles(tiles(pack))
    doc.heading("Open alerts")
    doc.table(humanize(pack.open_alerts, "kind", "severity"), ALERTS, max_rows=MAX_ALERTS,
              empty="No open alerts: the model is within every threshold.",
              more="The rest are on the Overview and in the Drift explorer.")
    w = pack.windows
    doc.heading("Drift by feature" + (f" (reference {w.ref_start:%-d %b %Y} – {w.ref_end:%-d %b %Y}, current "
                                      f"{w.cur_start:%-d %b %Y} – {w.cur_end:%-d %b %Y})" if w else ""))
    if pack.drift is None:
        doc.note(pack.drift_note or "No drift profiles yet.")
    else:
        doc.table(pack.drift, DRIFT, max_rows=MAX_FEATURES, more="Every feature is in the Drift explorer.")
    perf = pack.performance
    metric = perf["metric"][0] if perf.height else None
    name = drift_performance.METRIC_LABELS.get(metric, metric) if metric else None
    # the performance chart's band note and legend need the wider column
    doc.charts([
        ("Net value per month", charts.over_time(pack.monthly, x="month", y="net_usd", mark="bar",
                                                 y_format="$.2s", y_title="Net value", height=150)
         if pack.monthly.height else None, "No ledger figures in the window."),
        (f"Performance over time ({name})" if metric else "Performance over time",
         charts.performance(perf, metric, subtitle_chars=70).properties(height=150) if metric else None,
         "No labelled outcomes for this model yet."),
    ], shares=[1, 2])
    return doc.build()
