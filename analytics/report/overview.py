"""The overview as a board pack: a PDF of the page and an XLSX with one sheet per table.

``overview_pack`` reads what the overview page reads (``overview.snapshot`` for the scoped KPIs of
the registry and the panels, ``kpis.organisation`` for readiness, ``readiness_summary`` for the
checklist table, ``filter_options`` for the "data as of" day); ``tiles``, ``tile_notes``,
``figures_table`` and ``tables`` print it as the page prints it (the page's tiles and figures download
use ``tile_notes`` and ``figures_table`` too); ``overview_pdf`` and ``overview_xlsx`` lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import duckdb
import polars as pl

from analytics.product import kpis, overview, portfolio
from analytics.product.scope import Scope
from analytics.readiness import summary
from analytics.readiness.items import ReadinessSummary
from analytics.report import charts, fmt
from analytics.report.pdf import Report, Tile
from analytics.report.scope import footer, window
from analytics.report.tables import Col, humanize
from analytics.report.xlsx import Sheet, xlsx_bytes

USD = "%,.0f"  # the page's money columns: whole dollars, unit in the header
UNREADABLE = "The readiness checklist could not be read."


@dataclass(frozen=True)
class OverviewPack:
    scope: Scope
    snap: overview.OverviewSnapshot
    organisation: dict[str, kpis.Figure]  # kpis.organisation (readiness); {} when it could not be read
    readiness: ReadinessSummary | None  # the checklist table
    readiness_error: str | None  # why readiness could not be read (the page says it in its panel)
    data_as_of: date | None  # newest day with predictions
    generated_at: datetime
    readiness_as_of: date  # the day readiness is read for (the page: today)

    @property
    def figures(self) -> dict[str, kpis.Figure]:
        """Every KPI of the registry that could be read, by key (the page's tiles)."""
        return {**self.snap.figures, **self.organisation}


def readiness_now(day: date) -> datetime:
    """The ``now`` the readiness KPI is read with for ``day`` (the start of the next day, UTC, as
    ``kpis.tasks`` defaults to for today)."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def overview_pack(con: duckdb.DuckDBPyConnection, scope: Scope, *, now: datetime | None = None,
                  readiness_as_of: date | None = None) -> OverviewPack:
    """Everything the overview page shows, for one scope (readiness as of ``readiness_as_of``,
    default today, as on the page)."""
    readiness_as_of = readiness_as_of or datetime.now(UTC).date()
    snap = overview.snapshot(con, scope)
    try:  # the page shows the rest when readiness fails: so does the report
        org = kpis.organisation(con, now=readiness_now(readiness_as_of))
        rd, rd_error = summary.readiness_summary(con, as_of=readiness_as_of), None
    except Exception as exc:
        org, rd, rd_error = {}, None, f"{UNREADABLE} {exc}"
    return OverviewPack(scope, snap, org, rd, rd_error, portfolio.filter_options(con).max_date,
                        now or datetime.now(UTC), readiness_as_of)


def tile_notes(figures: dict[str, kpis.Figure]) -> dict[str, str]:
    """The line under each tile (KPI key -> note), from the figures' other columns: the page and
    the PDF print the same."""
    out = {"value_to_date": "since first ledger month", "value_at_risk": "per month, open alerts"}
    if "adoption_rate" in figures:
        seats = figures["adoption_rate"].extra
        out["adoption_rate"] = (f"{fmt.count(seats['n_active_seats'])} of {fmt.count(seats['n_eligible_seats'])} seats"
                                if seats["n_eligible_seats"] else "no eligible seats in this selection")
    if "models_in_production" in figures:
        e = figures["models_in_production"].extra
        out["models_in_production"] = f"{e['n_pilot']} in pilot, {e['n_retired']} retired"
    if "models_at_risk" in figures:
        out["models_at_risk"] = f"{figures['models_at_risk'].extra['n_critical']} critical"
    if "readiness_progress" in figures:
        e = figures["readiness_progress"].extra
        out["readiness_progress"] = f"{e['n_done']} of {e['n_items']} done"
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
    """The registry's tiles in registry order with the page's notes; a KPI that could not be read
    (readiness) shows "–" and why."""
    fig = pack.figures
    notes = tile_notes(fig)
    return [tile(k.key, fig[k.key].value, fig[k.key].previous, notes.get(k.key)) if k.key in fig
            else Tile(k.title, "–", note=pack.readiness_error or UNREADABLE) for k in kpis.REGISTRY]


def figures_table(figures: dict[str, kpis.Figure], scope: Scope) -> pl.DataFrame:
    """The tiles' figures with the previous period, the change and their meaning, stamped with the
    window and the filters they were drawn for (the page's "Download these figures")."""
    return kpis.figures({k: (f.value, f.previous) for k, f in figures.items()}).with_columns(
        window=pl.lit(f"{scope.start} to {scope.end}"),
        business_units=pl.lit(", ".join(scope.units) if scope.units else "all"),
        countries=pl.lit(", ".join(scope.countries) if scope.countries else "all"))


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
    s = pack.snap
    items = pack.readiness.items if pack.readiness is not None and pack.readiness.items is not None \
        else pl.DataFrame(schema={"title": pl.String, "owner": pl.String, "status": pl.String,
                                  "due_date": pl.Date, "is_overdue": pl.Boolean})
    return {
        "Headline figures": (figures_table(pack.figures, pack.scope), FIGURES),
        "Models that need attention": (humanize(s.attention, "severity"), ATTENTION),
        "Value by month": (s.value_by_month, VALUE_BY_MONTH),
        "Value by business unit": (overview.net_to_date_by_business_unit(s.payback), BY_BUSINESS_UNIT),
        "Models that never paid off": (humanize(overview.never_paid_off(s.payback), "stage"), NEVER_PAID),
        "Readiness to scale": (humanize(items.sort("is_overdue", descending=True), "status"), READINESS),
    }


def overview_pdf(con: duckdb.DuckDBPyConnection, scope: Scope, *, paper: str = "a4",
                 now: datetime | None = None) -> bytes:
    """The overview page as a board-ready PDF (A4 or Letter)."""
    return render_pdf(overview_pack(con, scope, now=now), paper=paper)


def render_pdf(pack: OverviewPack, *, paper: str = "a4") -> bytes:
    """The PDF of ``pack`` ("a4" or "letter"); charts are drawn for white paper whatever the theme."""
    with charts.printing():
        return _render_pdf(pack, paper=paper)


def _render_pdf(pack: OverviewPack, *, paper: str = "a4") -> bytes:
    sc, s = pack.scope, pack.snap
    t = tables(pack)
    rd_day = f" · readiness as of {pack.readiness_as_of:%-d %b %Y}"
    doc = Report(title="Portfolio overview", paper=paper,
                 subtitle=f"{window(sc)}; deltas compare with the previous {window(sc.previous)}. "
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


def overview_xlsx(con: duckdb.DuckDBPyConnection, scope: Scope, *, now: datetime | None = None) -> bytes:
    """The overview pack: one sheet per table (headline figures first)."""
    return render_xlsx(overview_pack(con, scope, now=now))


def render_xlsx(pack: OverviewPack) -> bytes:
    return xlsx_bytes([Sheet(name, df.select([c.name for c in cols]), cols)
                       for name, (df, cols) in tables(pack).items()])
