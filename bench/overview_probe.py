"""Run inside a fresh process: time each overview query cold (first call, new connection) and warm.

Prints one JSON object. Usage: python -m bench.overview_probe ROOT START END
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date


def main() -> None:
    root, start, end = sys.argv[1], date.fromisoformat(sys.argv[2]), date.fromisoformat(sys.argv[3])
    t0 = time.perf_counter()
    from analytics import adoption, checklist, lakehouse, overview, portfolio, roi

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    con = lakehouse.connect(root)
    t_connect = time.perf_counter() - t0
    params = {"start_date": start, "end_date": end, "business_units": None, "countries": None}
    calls = {
        "filter_options": (portfolio.filter_options, {}),
        "portfolio_value": (roi.portfolio_value, params),
        "value_by_month": (roi.value_by_month, params),
        "adoption_summary": (adoption.adoption_summary, params),
        "stage_summary": (overview.stage_summary, params),
        "risk_summary": (overview.risk_summary, params),
        "models_needing_attention": (overview.models_needing_attention, params),
        "model_payback": (overview.model_payback, params),
        "readiness_summary": (checklist.readiness_summary, {}),
    }
    out = {"import_s": t_import, "connect_s": t_connect, "queries": {}}
    for name, (fn, kw) in calls.items():
        cur = con.cursor()
        t0 = time.perf_counter()
        fn(cur, **kw)
        cold = time.perf_counter() - t0
        warm = []
        for _ in range(5):
            t0 = time.perf_counter()
            fn(cur, **kw)
            warm.append(time.perf_counter() - t0)
        out["queries"][name] = {"cold_s": cold, "warm_s": statistics.median(warm)}
    out["cold_total_s"] = t_connect + sum(q["cold_s"] for q in out["queries"].values())
    out["warm_total_s"] = sum(q["warm_s"] for q in out["queries"].values())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
