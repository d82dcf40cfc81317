"""Real browser, light and dark, 375 px and 1280 px: the overview and the drift explorer in Chromium.
Each view is saved to artifacts/screens-<page>-<width>-<theme>.png; every visible text node and every
chart label must keep WCAG AA contrast against the background it is drawn on (computed colours, see
contrast.js); the key columns of the main table are on screen without scrolling; nothing makes the
page itself scroll sideways."""

from __future__ import annotations

from pathlib import Path

import pytest

import e2e

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CONTRAST_JS = (Path(__file__).parent / "contrast.js").read_text()
# page -> (path, the table's first header, the headers that must be on screen at 375 px and at 1280 px)
PAGES = {
    "overview": ("/", "Model", {375: {"Model", "Why"}, 1280: {"Model", "Why", "Investigate", "Severity"}}),
    "drift": ("/drift?model=churn_propensity", "Feature",
              {375: {"Feature", "Status"}, 1280: {"Feature", "Status", "Statistic", "Threshold", "PSI band", "Note"}}),
}
CASES = [(p, w, t) for p in PAGES for w in (375, 1280) for t in ("light", "dark")]
# the headers glide-data-grid renders for its visible region, per table
HEADERS_JS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')].map(
    g => [...g.querySelectorAll('[role=columnheader]')].map(h => h.textContent.trim()))"""
BACKGROUND_JS = "() => getComputedStyle(document.querySelector('.stApp')).backgroundColor"
OVERFLOW_JS = """() => { const m = document.querySelector('[data-testid="stMain"]') || document.scrollingElement;
    return m.scrollWidth - m.clientWidth; }"""


@pytest.fixture(scope="module")
def server(demo_root):
    if not e2e.chromium_available():
        pytest.skip(e2e.CHROMIUM_MISSING)
    from e2e_auth import bench_user

    env, sign_in = bench_user(demo_root.parent)
    with e2e.streamlit_server(demo_root, env=env) as (url, _proc), e2e.browser() as b:
        yield url, sign_in, b


@pytest.mark.parametrize(("name", "width", "theme"), CASES, ids=[f"{p}-{w}-{t}" for p, w, t in CASES])
def test_screen_is_readable_and_shows_key_columns(server, name, width, theme):
    url, sign_in, b = server
    path, first_header, key_columns = PAGES[name]
    ctx = b.new_context(viewport={"width": width, "height": 900}, color_scheme=theme)
    try:
        page = ctx.new_page()
        page.goto(url + path)
        sign_in(page)
        page.wait_for_function("document.querySelectorAll('[data-testid=\"stMetric\"]').length >= 3", timeout=150_000)
        page.wait_for_function("document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] svg').length >= 1",
                               timeout=150_000)
        page.wait_for_timeout(2000)  # let the last elements settle (stale elements are faded)
        assert page.locator("[data-testid='stException']").count() == 0
        shot = e2e.screenshot(page, f"screens-{name}-{width}-{theme}")
        assert shot.stat().st_size > 10_000
        # the theme is the one the browser asks for
        assert page.evaluate(BACKGROUND_JS) == ("rgb(14, 17, 23)" if theme == "dark" else "rgb(255, 255, 255)")
        result = page.evaluate(CONTRAST_JS)
        assert result["checked"] > 40, result
        assert result["failures"] == [], result["failures"]
        grids = page.locator("[data-testid='stDataFrame']")
        for i in range(grids.count()):  # the grid draws (and lists) its headers only once on screen
            grids.nth(i).scroll_into_view_if_needed()
            page.wait_for_timeout(400)
        tables = [h for h in page.evaluate(HEADERS_JS) if h and h[0] == first_header]
        assert tables, page.evaluate(HEADERS_JS)
        assert key_columns[width] <= set(tables[0]), tables[0]
        assert page.evaluate(OVERFLOW_JS) <= 0
    finally:
        ctx.close()
