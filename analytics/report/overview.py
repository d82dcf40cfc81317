"""The overview as a board pack: a PDF of the page and an XLSX with one sheet per table.

``overview_pack`` reads what the overview page reads (``overview.snapshot`` for the filtered
figures, ``readiness_summary`` for readiness, ``filter_options`` for the "data as of" day);
``tiles`` and ``tables`` print it as the page prints it (``analytics.report.fmt``, the tables' column
formats); ``overview_pdf`` and ``overview_xlsx`` lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb
import polars as pl

from analytics.product import kpis, overview, portfolio
from analytics.readiness import summary
from analytics.readiness.items import ReadinessSummary
from analytics.report import charts, fmt
from analytics.report.pdf import Report, Tile
from analytics.report.scope import Scope, footer
from analytics.report.tables import Col, humanize
from analytics.report.xlsx import Sheet, xlsx_bytes

USD = "%,.0f"  # the page's money columns: whole dollars, unit in the header


@dataclass(frozen=True)
class OverviewPack:
    scope: Scope
    snap: overview.OverviewSnapshot
    readiness: ReadinessSummary | None
    readiness_error: str | None  # why readiness could not be read (the page shows it in its panel)
    data_as_of: date | None  # newest day with predictions
    generated_at: datetime
    readiness_as_of: date  # the day readiness is read for (the page: today)


def overview_pack(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date,
                  business_units: tuple[str, ...] | None = None, countries: tuple[str, ...] | None = None,
                  now: datetime | None = None, readiness_as_of: date | None = None) -> OverviewPack:
    """Everything the overview page shows, for one set of filters (readiness as of
    ``readiness_as_of``, default today, as on the page)."""
    scope = Scope(start_date, end_date, business_units or None, countries or None)
    readiness_as_of = readiness_as_of or datetime.now(UTC).date()
    snap = overview.snapshot(con, **scope.params())
    try:
        rd, rd_error = summary.readiness_summary(con, as_of=readiness_as_of), None
    except Exception as exc:  # the page shows the rest when readiness fails: so does the report
        rd, rd_error = None, f"The readiness checklist could not be read: {exc}"
    return OverviewPack(scope, snap, rd, rd_error, portfolio.filter_options(con).max_date,
                        now or datetime.now(UTC), readiness_as_of)


def figure_values(pack: OverviewPack) -> dict[str, tuple]:
    """KPI key -> (value, previous value), as the page passes them to its tiles and download."""
    s = pack.snap
    v, a, st, r = s.value, s.adoption, s.stages, s.risk
    out = {
        "value_delivered": (v.net_usd, v.prev_net_usd), "value_to_date": (v.value_to_date_usd, None),
        "portfolio_roi": (v.roi, v.prev_roi), "adoption_rate": (a.adoption_rate, a.prev_adoption_rate),
        "models_in_production": (st.n_production, st.prev_production),
        "models_at_risk": (r.n_models_at_risk, None), "value_at_risk": (r.value_at_risk_usd, None),
    }
    if pack.readiness is not None:
        out["readiness_progress"] = (pack.readiness.share_done, pack.readiness.prev_share_done)
    return out


def tile(key: str, value, previous=None, note: str | None = None) -> Tile:
    """One registry KPI printed as the page's metric tile prints it."""
    k = kpis.kpi(key)
    delta = fmt.delta(k.unit, value, previous)
    good = None
    if delta is not None and value != previous:
        good = (value > previous) == (k.direction == "up")
    return Tile(k.title, fmt.by_unit(k.unit, value), delta, note, good)


def tiles(pack: OverviewPack) -> list[Tile]:
    """The eight headline tiles with the page's notes."""
    f = figure_values(pack)
    a, st, r, rd = pack.snap.adoption, pack.snap.stages, pack.snap.risk, pack.readiness
    out = [
        tile("value_delivered", *f["value_delivered"]),
        tile("value_to_date", *f["value_to_date"], note="since first ledger month"),
        tile("portfolio_roi", *f["portfolio_roi"]),
        tile("adoption_rate", *f["adoption_rate"], note=f"{fmt.count(a.active_users)} of "
             f"{fmt.count(a.eligible_users)} seats"),
        tile("models_in_production", *f["models_in_production"],
             note=f"{st.n_pilot} in pilot, {st.n_retired} retired"),
        tile("models_at_risk", *f["models_at_risk"], note=f"{r.n_critical} critical"),
        tile("value_at_risk", *f["value_at_risk"], note="per month, open alerts"),
    ]
    if rd is not None:
        out.append(tile("readiness_progress", *f["readiness_progress"],
                        note=f"{rd.n_done} of {rd.n_items} done, {rd.n_overdue} late"))
    else:
        out.append(Tile(kpis.kpi("readiness_progress").title, "–", note=pack.readiness_error))
    return out


ATTENTION = [Col("name", "Model", width=1.3), Col("business_unit", "Business unit", width=1.0),
             Col("severity", "Severity", width=0.75), Col("reasons", "Why", width=3.2),
             Col("since_at", "Since", "date", "D MMM YYYY", width=0.9),
             Col("value_at_risk_usd", "Value at risk / month ($)", "number", USD, width=1.1)]
NEVER_PAID = [Col("name", "Model", width=1.6), Col("business_unit", "Business unit", width=1.1),
              Col("stage", "Stage", width=0.8), Col("first_month", "Since", "date", "MMM YYYY", width=0.8),
              Col("benefit_to_date_usd", "Benefit ($)", "number", USD),
              Col("cost_to_date_usd", "Cost ($)", "number", USD), Col("net_to_date_usd", "Net ($)", "number", USD)]
READINESS = [Col("title", "Item", width=2.2), Col("owner", "Owner", width=1.6), Col("status", "Status", width=0.9),
             Col("due_date", "Due", "date", "D MMM YYYY", width=0.9), Col("is_overdue", "Late", "bool", width=0.5)]
VALUE_BY_MONTH = [Col("month", "Month", "date", "MMM YYYY"), Col("business_unit", "Business unit"),
                  Col("benefit_usd", "Benefit ($)", "number", USD), Col("cost_usd", "Cost ($)", "number", USD),
                  Col("net_usd", "Net ($)", "number", USD)]
BY_BUSINESS_UNIT = [Col("business_unit", "Business unit"),
                    Col("net_to_date_usd", "Net value to date ($)", "number", USD)]
FIGURES = [Col("figure", "Figure"), Col("value", "Value", "number"), Col("previous_period", "Previous period", "number"),
           Col("change", "Change", "number"), Col("unit", "Unit"), Col("meaning", "Meaning"),
           Col("window", "Window"), Col("business_units", "Business units"), Col("countries", "Countries")]


def tables(pack: OverviewPack) -> dict[str, tuple[pl.DataFrame, list[Col]]]:
    """Every table of the overview (and the data under its two charts), by sheet name, rows as the
    page shows them."""
    s, sc = pack.snap, pack.scope
    figures = kpis.figures(figure_values(pack)).with_columns(
        window=pl.lit(f"{sc.start_date} to {sc.end_date}"),
        business_units=pl.lit(", ".join(sc.business_units) if sc.business_units else "all"),
        countries=pl.lit(", ".join(sc.countries) if sc.countries else "all"))
    items = pack.readiness.items if pack.readiness is not None and pack.readiness.items is not None \
        else pl.DataFrame(schema={"title": pl.String, "owner": pl.String, "status": pl.String,
                                  "due_date": pl.Date, "is_overdue": pl.Boolean})
    return {
        "Headline figures": (figures, FIGURES),
        "Models that need attention": (humanize(s.attention, "severity"), ATTENTION),
        "Value by month": (s.value_by_month, VALUE_BY_MONTH),
        "Value by business unit": (by_business_unit(s.payback), BY_BUSINESS_UNIT),
        "Models that never paid off": (humanize(never_paid(s.payback), "stage"), NEVER_PAID),
        "Readiness to scale": (humanize(items.sort("is_overdue", descending=True), "status"), READINESS),
    }


def never_paid(payback: pl.DataFrame) -> pl.DataFrame:
    return payback.filter(pl.col("payback_month").is_null())


def by_business_unit(payback: pl.DataFrame) -> pl.DataFrame:
    return payback.group_by("business_unit").agg(pl.col("net_to_date_usd").sum()).sort("net_to_date_usd")


def overview_pdf(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date,
                 business_units: tuple[str, ...] | None = None, countries: tuple[str, ...] | None = None,
                 paper: str = "a4", now: datetime | None = None) -> bytes:
    """The overview page as a board-ready PDF (A4 or Letter)."""
    return render_pdf(overview_pack(con, start_date=start_date, end_date=end_date, business_units=business_units,
                                    countries=countries, now=now), paper=paper)


def render_pdf(pack: OverviewPack, *, paper: str = "a4") -> bytes:
    sc, s = pack.scope, pack.snap
    t = tables(pack)
    rd_day = f" · readiness as of {pack.readiness_as_of:%-d %b %Y}"
    doc = Report(title="Portfolio overview", paper=paper,
                 subtitle=f"{sc.window()}; deltas compare with the period of the same length just before. "
                          "Figures are net of cost unless stated.",
                 footer=footer(sc, pack.data_as_of, pack.generated_at, rd_day))
    doc.tiles(tiles(pack))
    doc.heading("Models that need attention")
    doc.table(*t["Models that need attention"],
              empty="No open alerts: every monitored model is within its thresholds.")
    monthly, by_bu = s.value_by_month, t["Value by business unit"][0]
    doc.charts([
        ("Value over time by business unit",
         charts.stacked_bars(monthly, x="month", y="net_usd", color="business_unit", y_title="Net value",
                             height=210) if not monthly.is_empty() else None,
         "No value-ledger rows in this window."),
        ("Who creates the value",
         charts.hbar(by_bu, x="net_to_date_usd", y="business_unit", x_title="Net value to date",
                     height=30 * max(by_bu.height, 1) + 20) if not by_bu.is_empty() else None,
         "No value-ledger rows yet."),
    ], shares=[3, 2])
    doc.heading("Models that never paid off")
    doc.table(*t["Models that never paid off"], empty="Every model with ledger figures has paid back its cost.")
    doc.heading("Readiness to scale")
    if pack.readiness is None:
        doc.note(pack.readiness_error or "The readiness checklist could not be read.")
    else:
        doc.table(*t["Readiness to scale"], empty="No readiness items yet.")
    return doc.build()


def overview_xlsx(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date,
                  business_units: tuple[str, ...] | None = None, countries: tuple[str, ...] | None = None,
                  now: datetime | None = None) -> bytes:
    """The overview pack: one sheet per table (headline figures first)."""
    return render_xlsx(overview_pack(con, start_date=start_date, end_date=end_date,
                                     business_units=business_units, countries=countries, now=now))


def render_xlsx(pack: OverviewPack) -> bytes:
    return xlsx_bytes([Sheet(name, df.select([c.name for c in cols]), cols)
                       for name, (df, cols) in tables(pack).items()])
