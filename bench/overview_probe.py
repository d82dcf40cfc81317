"""Run inside a fresh process: time the overview's queries cold (first calls on a new connection)
and warm (repeated on the same connection, without Streamlit's result cache).

The page makes three calls: ``overview.snapshot`` (everything that depends on the filters, its
queries run side by side), ``summary.readiness_summary`` (readiness does not depend on the
filters) and ``portfolio.filter_options`` (the sidebar). ``page_*`` times those three calls as the
page makes them; ``filter_change_warm_s`` is what a filter change recomputes (the
snapshot); ``queries`` times each underlying function alone, one after another, for diagnosis.

Prints one JSON object. Usage: python -m bench.overview_probe ROOT START END
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date


def _timed(fn, *args, **kwargs) -> float:
    t0 = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - t0


def _median(fn, *args, repeats: int = 7, **kwargs) -> float:
    return statistics.median(_timed(fn, *args, **kwargs) for _ in range(repeats))


def main() -> None:
    root, start, end = sys.argv[1], date.fromisoformat(sys.argv[2]), date.fromisoformat(sys.argv[3])
    t0 = time.perf_counter()
    from analytics.lakehouse import connection
    from analytics.product import adoption, kpis, overview, portfolio, roi
    from analytics.product.scope import Scope
    from analytics.readiness import summary

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    con = connection.connect(root)
    t_connect = time.perf_counter() - t0
    params = {"scope": Scope(start, end)}
    page = {
        "snapshot": (overview.snapshot, params),
        "readiness_summary": (summary.readiness_summary, {}),
        "filter_options": (portfolio.filter_options, {}),
    }

    def page_calls() -> None:
        for fn, kw in page.values():
            fn(con.cursor(), **kw)

    out: dict = {"import_s": t_import, "connect_s": t_connect}
    out["page_cold_s"] = _timed(page_calls)
    out["page_warm_s"] = _median(page_calls)
    out["filter_change_warm_s"] = _median(overview.snapshot, con.cursor(), **params)
    out["cold_total_s"] = t_connect + out["page_cold_s"]
    parts = {
        "portfolio_value": (roi.portfolio_value, params),
        "value_by_month": (roi.value_by_month, params),
        "adoption_summary": (adoption.adoption_summary, params),
        "stage_summary": (overview.stage_summary, params),
        "kpis": (kpis.compute, params),
        "models_needing_attention": (overview.models_needing_attention, params),
        "alerts_raised": (overview.alerts_raised, params),
        "model_payback": (overview.model_payback, params),
        **page,
    }
    out["queries"] = {name: {"warm_s": _median(fn, con.cursor(), **kw)} for name, (fn, kw) in parts.items()}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
