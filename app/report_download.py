"""The overview as a board-ready PDF, built on the server from what the page already read."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from analytics.product import kpis, overview, portfolio
from analytics.product.scope import Scope
from analytics.readiness import summary
from analytics.report import overview as overview_report
from app import data

PAPERS = (("a4", "A4"), ("letter", "US Letter"))


def overview_pdf(scope: Scope, snap: overview.OverviewSnapshot, organisation: dict[str, kpis.Figure]) -> None:
    """A "Download PDF" button (A4 or US Letter): the page's own figures (the snapshot and the
    organisation-wide KPIs it drew as tiles) laid out for print, with the filters and "data as of" in
    the footer. Rendered when clicked, not on every run."""
    def render(paper: str) -> bytes:
        readiness, error = None, None
        if organisation:  # as on the page: no readiness table when the readiness KPI could not be read
            try:
                readiness = data.cached(summary.readiness_summary)
            except Exception as exc:  # the page says it in its panel; the PDF says it in place
                error = f"{overview_report.UNREADABLE} {exc}"
        else:
            error = overview_report.UNREADABLE
        now = datetime.now(UTC)
        pack = overview_report.OverviewPack(scope, snap, organisation, readiness, error,
                                            data.cached(portfolio.filter_options).max_date, now, now.date())
        return overview_report.render_pdf(pack, paper=paper)

    name = f"scaleboard-overview-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}"
    with st.popover("Download PDF", icon=":material/picture_as_pdf:",
                    help="The overview as a PDF for the board: vector charts, every table whole."):
        for paper, label in PAPERS:
            st.download_button(label, lambda paper=paper: render(paper), mime="application/pdf",
                               file_name=f"{name}-{paper}.pdf", key=f"dl_overview_pdf_{paper}",
                               icon=":material/download:")
