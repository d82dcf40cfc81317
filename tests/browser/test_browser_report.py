"""Real browser: the executive downloads the overview as a PDF (A4) and a table as XLSX from a real
`streamlit run` server; the PDF's headline figure is the one the page shows, the XLSX opens."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import e2e
from e2e_auth import bench_user

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analytics" / "report"))
from pdfcheck import reader, text  # noqa: E402
from xlsxcheck import Workbook  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module", autouse=True)
def _need_chromium():
    if not e2e.chromium_available():
        pytest.skip(e2e.CHROMIUM_MISSING)


def test_download_pdf_and_xlsx_from_the_overview(demo_root, tmp_path):
    env, sign_in = bench_user(tmp_path, "executive")
    with e2e.streamlit_server(demo_root, env=env) as (url, _proc), e2e.browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.goto(url)
        sign_in(page)
        page.wait_for_function("document.querySelectorAll('[data-testid=\"stMetric\"]').length >= 8",
                               timeout=60_000)
        tile = page.locator("[data-testid='stMetric']", has_text="Value delivered")
        shown = tile.locator("[data-testid='stMetricValue']").inner_text().strip()
        page.get_by_role("button", name=re.compile("Download PDF")).click()
        page.get_by_role("button", name="US Letter").wait_for()
        e2e.screenshot(page, "overview_downloads", height=1400)
        with page.expect_download(timeout=60_000) as dl:
            page.get_by_role("button", name="A4").click()
        data = Path(dl.value.path()).read_bytes()
        assert dl.value.suggested_filename.endswith("-a4.pdf")
        assert round(float(reader(data).pages[0].mediabox.width)) == 595
        got = text(data)
        assert f"Value delivered {shown}" in got
        assert "Page 1 of" in got and "Filters: Window" in got
        page.keyboard.press("Escape")
        # the PDF's download reran the page: a click landing in that rerun is lost, so e2e clicks again
        got = e2e.download(page, page.get_by_role("button", name="Download XLSX").first)
        book = Workbook(Path(got.path()).read_bytes())
        [sheet] = book.names()
        header = [c["value"] for c in book.cells(sheet)[0]]
        # the first table whose downloads are on screen (the attention table's are in its "All columns"
        # expander), labelled as shown: the models that never paid off
        assert header[:3] == ["Model", "Business unit", "Stage"]
