"""Model registry benchmark: the registry page's queries on 1,000 models, 10,000 versions, 30,000
deployments and 15,000 registry events (searching, filtering, one model's versions, engineering KPIs).

    .venv/bin/python -m bench.bench_registry

Prints a markdown section and writes it to bench/results/registry.md.
"""

from __future__ import annotations

import platform
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from analytics.governance import registry
from analytics.lakehouse import connection, storage
from analytics.lakehouse.schema import table
from analytics.product.scope import Scope, everything

HERE = Path(__file__).resolve().parent
N_MODELS, VERSIONS_PER_MODEL, DEPLOYS_PER_VERSION = 1_000, 10, 3
UNITS = ("Retail", "Finance", "Marketing", "Operations", "Supply Chain")


def build(root: Path) -> None:
    rng = np.random.default_rng(3)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    models, versions, deploys, events = [], [], [], []
    for m in range(N_MODELS):
        mid = f"model_{m:04d}"
        models.append({"model_id": mid, "name": f"Model {m} {'churn' if m % 7 == 0 else 'demand'}",
                       "business_unit": UNITS[m % 5], "owner": f"owner {m % 40}", "risk_tier": ("low", "medium", "high")[m % 3],
                       "stage": ("production", "pilot", "retired")[m % 3], "task": "classification",
                       "description": f"scores things for unit {UNITS[m % 5]}"})
        for v in range(VERSIONS_PER_MODEL):
            reg = start + timedelta(days=int(rng.integers(0, 900)))
            versions.append({"model_id": mid, "version": str(v + 1), "registered_at": reg})
            for d in range(DEPLOYS_PER_VERSION):
                deploys.append({"deployment_id": f"{mid}-{v}-{d}", "model_id": mid, "version": str(v + 1),
                                "environment": "production" if d else "staging",
                                "deployed_at": reg + timedelta(days=int(rng.integers(1, 30))),
                                "status": ("success", "success", "rolled_back")[int(rng.integers(0, 3))]})
            if v % 2:
                events.append({"event_id": f"{mid}-{v}-a", "event_at": reg, "model_id": mid, "version": str(v + 1),
                               "kind": "alias", "name": "champion"})
            events.append({"event_id": f"{mid}-{v}-p", "event_at": reg, "model_id": mid, "version": str(v + 1),
                           "kind": "approval", "name": "approved", "value": "approved", "actor": "risk"})
    for name, rows in (("models", models), ("model_versions", versions), ("deployments", deploys),
                       ("registry_events", events)):
        storage.append(root, name, pa.Table.from_pylist(rows, schema=table(name).schema))


def timed(fn, repeat: int = 7) -> float:
    fn()  # warm
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "lake"
        build(root)
        con = connection.connect(root)
        cases = {
            "all models (no filter)": lambda: registry.models(con, everything()),
            "search 'churn'": lambda: registry.models(con, everything(), search="churn"),
            "search + business unit + risk tier + stage": lambda: registry.models(
                con, Scope(date(2025, 1, 1), date(2025, 12, 31), business_units=("Retail", "Finance")),
                search="owner 1", risk_tiers=("high",), stages=("production",)),
            "one model's versions": lambda: registry.versions(con, everything(), model_id="model_0500"),
            "one model's deployments": lambda: registry.deployments(con, everything(), model_id="model_0500"),
            "engineering KPIs, 12 months": lambda: registry.engineering(
                con, Scope(date(2025, 1, 1), date(2025, 12, 31))),
        }
        rows = [(name, timed(fn)) for name, fn in cases.items()]
        n = {t: con.sql(f"select count(*) from {t}").fetchall()[0][0]
             for t in ("models", "model_versions", "deployments", "registry_events")}
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["## Model registry (`bench/bench_registry.py`)", "",
             f"Machine: {platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}. "
             f"Measured {stamp}. {n['models']:,} models, {n['model_versions']:,} versions, {n['deployments']:,} "
             f"deployments, {n['registry_events']:,} registry events; warm connection, median of 7 runs. "
             "Target: under 200 ms per registry page query.", "",
             "| query | time |", "|---|---|"]
    lines += [f"| {name} | {ms:.1f} ms |" for name, ms in rows]
    text = "\n".join(lines) + "\n"
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "registry.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
