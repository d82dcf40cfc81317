"""The overview as a board-ready PDF, built on the server from what the page already read."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from analytics.product import overview, portfolio
from analytics.readiness.items import ReadinessSummary
from analytics.report import overview as overview_report
from analytics.report.scope import Scope
from app import data
from app.filters import Filters

PAPERS = (("a4", "A4"), ("letter", "US Letter"))


def overview_pdf(f: Filters, snap: overview.OverviewSnapshot, readiness: ReadinessSummary | None) -> None:
    """A "Download PDF" button (A4 or US Letter): the page's own figures laid out for print, with the
    filters and "data as of" in the footer. Rendered when clicked, not on every run."""
    def render(paper: str) -> bytes:
        pack = overview_report.OverviewPack(
            Scope(f.start_date, f.end_date, f.business_units, f.countries), snap, readiness,
            None if readiness is not None else "The readiness checklist could not be read.",
            data.cached(portfolio.filter_options).max_date, datetime.now(UTC), datetime.now(UTC).date())
        return overview_report.render_pdf(pack, paper=paper)

    scope = f"{f.start_date:%Y%m%d}-{f.end_date:%Y%m%d}"
    with st.popover("Download PDF", icon=":material/picture_as_pdf:",
                    help="The overview as a PDF for the board: vector charts, every table whole."):
        for paper, label in PAPERS:
            st.download_button(label, lambda paper=paper: render(paper), mime="application/pdf",
                               file_name=f"scaleboard-overview-{scope}-{paper}.pdf", key=f"dl_overview_pdf_{paper}",
                               icon=":material/download:")
