"""The real server on a big lakehouse, driven by Chromium as a user would.

* the overview: seconds from signing in (on a freshly started server, after THINK_S seconds on the
  sign-in form) until its metrics show;
* Adoption and Value & ROI: seconds from clicking the page in the sidebar until it has finished
  running, the first time (cold: queries run) and again after visiting another page (warm: what a
  user meets on a revisit, Streamlit's result cache included);
* the server's RSS afterwards.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import e2e  # noqa: E402

RUNNING = "[data-testid='stStatusWidget']"
THINK_S = 3.0  # seconds a person spends on the sign-in form (the server warms up meanwhile)


def _settled(page, title: str, n_metrics: int) -> None:
    page.get_by_role("heading", name=title).first.wait_for(timeout=180_000)
    page.wait_for_function(f"document.querySelectorAll('[data-testid=\"stMetric\"]').length >= {n_metrics}",
                           timeout=180_000)
    page.wait_for_function(f"!document.querySelector(\"{RUNNING}\")", timeout=180_000)


def _visit(page, link: str, title: str, n_metrics: int) -> float:
    t0 = time.perf_counter()
    page.get_by_role("link", name=link).first.click()
    _settled(page, title, n_metrics)
    return time.perf_counter() - t0


def measure(root: Path) -> dict:
    if not e2e.chromium_available():
        return {}
    from e2e_auth import bench_user

    env, sign_in = bench_user(root.parent)
    with e2e.streamlit_server(root, env=env) as (url, proc), e2e.browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.get_by_label("User name").wait_for(timeout=120_000)
        page.wait_for_timeout(THINK_S * 1000)  # a person reads the form and types a password
        sign_in(page)
        t0 = time.perf_counter()  # sign-in done: the overview starts rendering
        _settled(page, "Portfolio overview", 8)
        out = {"metrics_visible_s": time.perf_counter() - t0}
        for link, title, n, key in (("Adoption", "Adoption", 3, "adoption"),
                                    ("Value & ROI", "Value & ROI", 4, "roi")):
            out[f"{key}_cold_s"] = _visit(page, link, title, n)
            _visit(page, "Overview", "Portfolio overview", 8)
            out[f"{key}_warm_s"] = _visit(page, link, title, n)
        out["overview_warm_s"] = _visit(page, "Overview", "Portfolio overview", 8)
        p = psutil.Process(proc.pid)
        out["rss_mib"] = (p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))) / 2**20
        e2e.screenshot(page, f"bench_overview_{root.parent.name}")
        return out
