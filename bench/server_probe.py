"""The real server on a big lakehouse: seconds until the overview's metrics are visible in Chromium
(first load, cold server) and the server's RSS afterwards."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import e2e  # noqa: E402


def measure(root: Path) -> dict:
    if not e2e.chromium_available():
        return {}
    env, sign_in = {}, None
    try:  # sign-in, when the app has it
        from e2e_auth import bench_user  # type: ignore

        env, sign_in = bench_user(root.parent)
    except ImportError:
        pass
    with e2e.streamlit_server(root, env=env) as (url, proc), e2e.browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        t0 = time.perf_counter()
        page.goto(url)
        if sign_in:
            sign_in(page)
        page.wait_for_function("document.querySelectorAll('[data-testid=\"stMetric\"]').length >= 8",
                               timeout=120_000)
        visible = time.perf_counter() - t0
        page.wait_for_timeout(1500)
        t0 = time.perf_counter()
        page.reload()
        if sign_in:
            sign_in(page)
        page.wait_for_function("document.querySelectorAll('[data-testid=\"stMetric\"]').length >= 8",
                               timeout=120_000)
        warm = time.perf_counter() - t0
        p = psutil.Process(proc.pid)
        rss = p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))
        e2e.screenshot(page, f"bench_overview_{root.parent.name}")
        return {"metrics_visible_s": visible, "reload_visible_s": warm, "rss_mib": rss / 2**20}
