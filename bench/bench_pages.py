"""Server-side page time: each page script run through Streamlit's AppTest on a big lakehouse.

cold = the first run of the page in a fresh process after the overview (connection open, this page's
queries run); warm = the same page run again (Streamlit's result cache hit), i.e. what the server
spends before the browser draws. Writes bench/results/pages.md.

Usage: python bench/bench_pages.py LAKEHOUSE_ROOT
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
PAGES = ("overview", "adoption", "roi", "experiments", "drift", "quality", "catalog", "compliance", "readiness")


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    os.environ["SCALEBOARD_LAKEHOUSE"] = str(root)
    from streamlit.testing.v1 import AppTest

    from app import auth

    n = sum(1 for _ in (root / "predictions").rglob("*.parquet"))
    at = AppTest.from_file(str(PROJECT / "app" / "main.py"), default_timeout=600)
    at.session_state["user"] = auth.test_session("admin")
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    rows = []
    for page in PAGES:
        t0 = time.perf_counter()
        at.switch_page(str(PROJECT / "pages" / f"{page}.py")).run()
        cold = time.perf_counter() - t0
        warm = []
        for _ in range(3):
            t0 = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t0)
        errors = len(at.exception) + len(at.error)
        rows.append((page, cold, statistics.median(warm), errors))
    lines = ["## Page run time on the server (AppTest)", "",
             f"Lakehouse {root.parent.name}/{root.name} ({n} prediction files); measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on "
             f"{os.cpu_count()} cores. The first run of the app (imports, opening the lakehouse, the overview) took "
             f"{first:.2f} s. cold = first run of the page (its queries run); warm = median of 3 reruns (result "
             "cache hits): what the server spends before the browser draws.", "",
             "| page | cold | warm | errors shown |", "|---|---|---|---|"]
    lines += [f"| {p} | {c * 1000:,.0f} ms | {w * 1000:,.0f} ms | {e} |" for p, c, w, e in rows]
    out = PROJECT / "bench" / "results" / "pages.md"
    out.write_text("\n".join(lines) + "\n")
    print(out.read_text())


if __name__ == "__main__":
    main()
