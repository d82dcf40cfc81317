"""Real browser: choose filters on the overview, copy the URL, open it in a fresh browser context (a new
session: sign in there) and the same figures show, with the same filters."""

from __future__ import annotations

import pytest

import e2e

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FIGURES_JS = "() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')].map(e => e.textContent)"


def _ready(page) -> list[str]:
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stMetric\"]').length >= 8", timeout=150_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=150_000)
    page.wait_for_timeout(1000)
    return page.evaluate(FIGURES_JS)


def test_copied_url_restores_the_same_figures_in_a_fresh_browser(demo_root):
    if not e2e.chromium_available():
        pytest.skip(e2e.CHROMIUM_MISSING)
    from e2e_auth import bench_user

    env, sign_in = bench_user(demo_root.parent)
    with e2e.streamlit_server(demo_root, env=env) as (url, _proc), e2e.browser() as b:
        first = b.new_context(viewport={"width": 1400, "height": 1000})
        page = first.new_page()
        page.goto(url)
        sign_in(page)
        default = _ready(page)
        page.get_by_test_id("stSelectbox").filter(has_text="Period").click()
        page.get_by_role("option", name="Last quarter").click()
        page.wait_for_function("location.search.includes('period=Last+quarter')", timeout=30_000)
        _ready(page)
        page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
        page.keyboard.type("Retail")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        page.wait_for_function("location.search.includes('business_unit=Retail')", timeout=30_000)
        chosen = _ready(page)
        assert chosen != default  # the filters changed the figures, so the comparison below means something
        copied = page.url
        first.close()

        fresh = b.new_context(viewport={"width": 1400, "height": 1000})
        page = fresh.new_page()
        page.goto(copied)
        sign_in(page)
        assert _ready(page) == chosen
        period = page.get_by_test_id("stSelectbox").filter(has_text="Period").locator("input").input_value()
        assert period == "Last quarter"
        units = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.inner_text()
        assert "Retail" in units, units
        fresh.close()
