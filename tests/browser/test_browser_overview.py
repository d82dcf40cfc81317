"""Real browser: `streamlit run` on the demo lakehouse, Chromium opens the overview, metrics appear,
no exception element is shown, a screenshot is saved to artifacts/overview.png."""

from __future__ import annotations

import pytest

import e2e

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module", autouse=True)
def _need_chromium():
    if not e2e.chromium_available():
        pytest.skip(e2e.CHROMIUM_MISSING)


def test_overview_in_a_real_browser(demo_root):
    env, sign_in = {}, None
    try:
        from e2e_auth import bench_user

        env, sign_in = bench_user(demo_root.parent)
    except ImportError:
        pass
    with e2e.streamlit_server(demo_root, env=env) as (url, _proc), e2e.browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        if sign_in:
            sign_in(page)
        page.wait_for_function("document.querySelectorAll('[data-testid=\"stMetric\"]').length >= 8",
                               timeout=e2e.DEADLINE_MS)
        page.get_by_text("Models that need attention").wait_for()
        page.wait_for_timeout(1500)  # let charts draw before the screenshot
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.locator("[data-testid='stAlertContentError']").count() == 0
        assert page.get_by_text("Portfolio overview").count() >= 1
        path = e2e.screenshot(page, "overview")
        assert path.stat().st_size > 10_000
        # the executive takes the figures to the board: a real download of the eight headline figures
        with page.expect_download(timeout=e2e.DEADLINE_MS) as dl:
            page.get_by_role("button", name="Download these figures").click()
        import polars as pl

        figures = pl.read_csv(dl.value.path())
        assert figures.height == 8 and {"figure", "value", "previous_period", "change", "window"} <= set(figures.columns)
        assert figures.filter(pl.col("figure") == "Value delivered")["value"].is_not_null().all()
