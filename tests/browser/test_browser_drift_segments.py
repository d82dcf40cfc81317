"""Real browser: the drift explorer draws the worst segments and one partial-dependence line per top
input (the facet titles are the stored features) on the demo lakehouse; saved to
artifacts/drift-segments-dependence.png."""

from __future__ import annotations

import polars as pl
import pytest

import e2e
from analytics.drift import dependence, monitor
from analytics.lakehouse import connection

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# every text of one chart's svg (vega draws facet titles and axes as svg text)
CHART_HAS_JS = """names => [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg')].some(
    s => names.every(n => s.textContent.includes(n)))"""


def test_worst_segments_and_partial_dependence_in_a_real_browser(demo_root):
    if not e2e.chromium_available():
        pytest.skip(e2e.CHROMIUM_MISSING)
    from e2e_auth import bench_user

    con = connection.connect(demo_root)
    drawn = con.sql("select distinct model_id from partial_dependence order by 1").fetchall()
    assert drawn, "refresh drew no partial dependence on the demo"
    model = drawn[0][0]
    version = monitor.model_versions(con).filter(pl.col("model_id") == model)["version"][0]
    features = dependence.current(con, model_id=model, version=version)["feature"].unique().to_list()
    assert features, (model, version)
    env, sign_in = bench_user(demo_root.parent, "data_scientist")
    with e2e.streamlit_server(demo_root, env=env) as (url, _proc), e2e.browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{url}/drift?model={model}")
        sign_in(page)
        page.get_by_text("How the top inputs move the output").wait_for(timeout=180_000)
        page.wait_for_function(CHART_HAS_JS, arg=features, timeout=120_000)
        assert page.get_by_role("heading", name="Worst segments").count() == 1
        assert page.locator("[data-testid='stException']").count() == 0
        assert e2e.screenshot(page, "drift-segments-dependence", height=5200).stat().st_size > 10_000
