"""Benchmark: Adoption, Value & ROI and Experiments page queries on a demo lakehouse.

    .venv/bin/python bench/bench_product.py [--predictions 10000000] [--root /tmp/bench_product]
    .venv/bin/python bench/bench_product.py --lakehouse bench/.work/p100000000/lakehouse   # reuse one

Builds (or reuses) a demo lakehouse with rollups, then times every analytics call a page makes:
* cold = a fresh connection (views registered) + each call once, as on the first page load after a
  refresh;
* warm = the same calls again on the open connection (DuckDB's caches warm). In the app a warm page
  is a ``st.cache_data`` hit (well under a millisecond), so this is an upper bound.
Writes a markdown section to bench/results/product.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from analytics.lakehouse import connection  # noqa: E402
from analytics.product import adoption, experiments, roi  # noqa: E402
from analytics.product.scope import Scope  # noqa: E402

END = date(2026, 10, 31)
P = {"scope": Scope(date(2025, 11, 1), END)}


def page_calls(con) -> dict[str, float]:
    def timed(fn, **kw):
        t0 = time.perf_counter()
        fn(con, **kw)
        return time.perf_counter() - t0

    adoption_s = sum(timed(f, **P) for f in (adoption.adoption_summary, adoption.funnel, adoption.usage_over_time,
                                             adoption.laggard_teams, adoption.feedback_monthly,
                                             adoption.feedback_comments))
    adoption_s += timed(adoption.adoption_by, dimension="model_id", **P)
    roi_s = sum(timed(f, **P) for f in (roi.portfolio_value, roi.value_by_month, roi.value_by_business_unit,
                                        roi.cumulative_value, roi.model_value, roi.revenue_per_run,
                                        roi.deployments_per_month, roi.ledger_history))
    roi_s += timed(roi.what_if, adoption_change=0.2, cost_change=0.0, **P)
    tests = experiments.list_experiments(con, **P)
    t0 = time.perf_counter()
    experiments.list_experiments(con, **P)
    if tests.height:
        experiments.analyze_experiment(con, P["scope"], experiment_id=tests["experiment_id"][0])
    return {"Adoption": adoption_s, "Value & ROI": roi_s, "Experiments": time.perf_counter() - t0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--predictions", type=int, default=10_000_000)
    ap.add_argument("--root", type=Path, default=Path("/tmp/bench_product"))
    ap.add_argument("--lakehouse", type=Path, help="an existing, refreshed lakehouse (e.g. the overview bench's)")
    args = ap.parse_args()
    root = args.lakehouse or args.root / f"p{args.predictions}"
    if not args.lakehouse and not (root / "models").is_dir():
        subprocess.run([str(PROJECT / ".venv/bin/scaleboard"), "demo", "--out", str(root), "--seed", "7",
                        "--predictions", str(args.predictions), "--end", END.isoformat()], check=True)
    con = connection.connect(root)
    n_pred = con.sql("select sum(n_predictions) from rollup_predictions_daily").fetchall()[0][0]
    n_usage = con.sql("select sum(n_events) from rollup_usage_user_week").fetchall()[0][0]
    n_rollup = con.sql("select count(*) from rollup_usage_user_week").fetchall()[0][0]
    n_masks = con.sql("select count(*) from rollup_usage_user_activity").fetchall()[0][0]
    con.close()
    t0 = time.perf_counter()
    con = connection.connect(root)
    connect_s = time.perf_counter() - t0
    cold = page_calls(con)
    warm = min((page_calls(con) for _ in range(3)), key=lambda d: sum(d.values()))
    lines = [
        "## Product pages (adoption, value & ROI, experiments)",
        "",
        f"Demo lakehouse: {n_pred:,} predictions, {n_usage:,} usage events "
        f"({n_rollup:,} rows in rollup_usage_user_week, condensed to {n_masks:,} activity masks). "
        "Machine: 2 shared cores. "
        f"Opening the connection (views over all tables and rollups): {connect_s * 1000:.0f} ms.",
        "",
        "| page | cold: all analytics calls (s) | warm: same calls, open connection (ms) | target |",
        "|---|---|---|---|",
    ]
    for page in cold:
        lines.append(f"| {page} | {cold[page]:.2f} | {warm[page] * 1000:.0f} | cold < 2 s, warm < 200 ms |")
    lines += ["", "Calls one after another, as listed in `page_calls`. Warm in the app = `st.cache_data` hit "
              "keyed on the lakehouse version (sub-millisecond); the warm column is the no-cache upper bound. "
              "bench/results/pages.md times the whole page script on the server (charts and tables included).",
              ""]
    out = PROJECT / "bench" / "results" / "product.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
