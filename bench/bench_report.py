"""Benchmark: the overview PDF (target under 5 s at 100M predictions), the XLSX pack and a model's
health PDF on a demo lakehouse.

    .venv/bin/python bench/bench_report.py [--predictions 2000000] [--root /tmp/bench_report]

Builds (or reuses) a refreshed demo lakehouse, then measures
* the shell command end to end (`scaleboard report overview --out F.pdf`: process start, imports,
  opening the lakehouse, the overview's queries, layout and vector charts), median of 3;
* in one process, each stage: open the lakehouse, the overview's queries (``overview_pack``), the
  first PDF render (it starts the Vega-Lite renderer), a second render, the XLSX pack, and a model
  report; medians of 3 where repeated.
The report reads rollups and small tables only, never the raw logs, so the prediction count moves
the query part (measured in bench/results/overview.md up to 100M) and not the rendering.
Writes bench/results/report.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from analytics.lakehouse import connection  # noqa: E402
from analytics.product.scope import Scope  # noqa: E402
from analytics.report import model as model_report  # noqa: E402
from analytics.report import overview as overview_report  # noqa: E402

END = date(2026, 10, 31)
SCOPE = Scope(date(2025, 11, 1), END)
BIN = PROJECT / ".venv" / "bin"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _cli(env: dict, out: Path) -> tuple[float, float]:
    """(wall, CPU = user + sys) seconds of one `scaleboard report overview` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([str(BIN / "scaleboard"), "report", "overview", "--out", str(out)], env=env, check=True,
                   capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(root: Path, out_dir: Path) -> dict:
    # as installed: Python caches compiled modules (a first run writes them); a shell with
    # PYTHONDONTWRITEBYTECODE recompiles every module on every start, several seconds of CPU
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SCALEBOARD_LAKEHOUSE"] = str(root)
    _cli(env, out_dir / "overview.pdf")
    runs = [_cli(env, out_dir / "overview.pdf") for _ in range(3)]
    r = {"cli": statistics.median(w for w, _ in runs), "cli_cpu": statistics.median(c for _, c in runs),
         "cli_all": [w for w, _ in runs]}
    r["connect"], con = _timed(lambda: connection.connect(root))
    r["pack_cold"], pack = _timed(lambda: overview_report.overview_pack(con, SCOPE))
    r["pack_warm"] = statistics.median(_timed(lambda: overview_report.overview_pack(con, SCOPE))[0] for _ in range(3))
    r["pdf_first"], pdf = _timed(lambda: overview_report.render_pdf(pack))
    r["pdf_warm"] = statistics.median(_timed(lambda: overview_report.render_pdf(pack))[0] for _ in range(3))
    r["xlsx"] = statistics.median(_timed(lambda: overview_report.render_xlsx(pack))[0] for _ in range(3))
    model_id = pack.snap.attention["model_id"][0] if pack.snap.attention.height else "churn_propensity"
    r["model"] = statistics.median(_timed(lambda: model_report.model_pdf(con, SCOPE, root=root, model_id=model_id))[0]
                                   for _ in range(3))
    r["pdf_kb"] = len(pdf) / 1024
    r["n_pred"] = con.sql("select sum(n_predictions) from rollup_predictions_daily").fetchall()[0][0]
    con.close()
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--predictions", type=int, default=2_000_000)
    ap.add_argument("--root", type=Path, default=Path("/tmp/bench_report"))
    args = ap.parse_args()
    root = args.root / f"p{args.predictions}" / "lakehouse"
    if not (root / "models").is_dir():
        subprocess.run([str(BIN / "scaleboard"), "demo", "--out", str(root), "--seed", "42",
                        "--predictions", str(args.predictions), "--end", END.isoformat()], check=True)
    r = measure(root, root.parent)
    load = os.getloadavg()
    lines = [
        "## Reports: overview PDF, XLSX pack, model health PDF (issue 13)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with other jobs (load average "
        f"{load[0]:.1f} at the end), Python {platform.python_version()}. Measured "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on a demo lakehouse of {r['n_pred']:,} predictions; window "
        f"12 months ending {END}.",
        "",
        "| step | time |",
        "|---|---|",
        f"| `scaleboard report overview --out F.pdf`, end to end (new process), median of 3: CPU (user + sys) "
        f"| {_ms(r['cli_cpu'])} |",
        f"| the same, wall clock on the shared machine | {_ms(r['cli'])} "
        f"(runs: {', '.join(_ms(x) for x in r['cli_all'])}) |",
        f"| open the lakehouse | {_ms(r['connect'])} |",
        f"| the overview's queries (`overview_pack`), cold / warm | {_ms(r['pack_cold'])} / {_ms(r['pack_warm'])} |",
        f"| PDF layout and charts, first in the process (starts the Vega-Lite renderer) | {_ms(r['pdf_first'])} |",
        f"| PDF layout and charts, again (what the app's Download PDF pays) | {_ms(r['pdf_warm'])} |",
        f"| XLSX pack (6 sheets) | {_ms(r['xlsx'])} |",
        f"| a model's one-page health PDF (queries + render) | {_ms(r['model'])} |",
        "",
        "The machine was shared with other jobs (see the load average): wall-clock times are inflated by "
        "waiting for a core; the CPU time of the command is what it costs on a quiet machine, where its "
        "wall time is about that (the chart renderer starts in a thread while the queries run).",
        "",
        f"The overview PDF is {r['pdf_kb']:,.0f} KiB (vector charts, standard fonts, nothing embedded). "
        "Rendering does not depend on the number of predictions; the queries read rollups, measured at "
        "100M predictions in bench/results/overview.md (snapshot cold 334 ms), so at 100M the command is "
        "expected (not measured here) at this figure plus about a quarter of a second.",
        "",
    ]
    out = PROJECT / "bench" / "results" / "report.md"
    out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
