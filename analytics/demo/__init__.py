"""The demo lakehouse: a believable enterprise ML portfolio, generated deterministically from a seed.

``generate(out, seed=42, predictions=2_000_000, end=None)`` writes every table the demo owns (all of
``analytics.lakehouse.schema`` except the ones produced by other capabilities, see ``PRODUCED_ELSEWHERE``)
through the lakehouse contract, then runs the *demo extras* (``analytics.demo.extras``).

The story (dates relative to ``end``; see ``analytics.demo.story``): ~25 models in 5 business units,
22 countries, 60 teams, 3000 users; adoption S-curves with laggard teams; a persistent drift (regime change) in
``basket_recommender.basket_size`` from 3 March, a seasonal one in ``demand_forecast.temperature``;
a logged training set per model version (``analytics.demo.training``, the drift reference); the ``crm_accounts`` feed breaks (nulls, then no
batches) and ``churn_propensity`` drifts and loses AUC; ROI ramps with adoption and four models never
pay off; six A/B tests (winners, a flat one, a sample-ratio mismatch, one still running).

Big tables stream in chunks of at most 1M rows (chronological, one file per table, chunk and month),
so memory stays bounded at 100M predictions.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import shutil
import time
import uuid
import warnings
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from analytics import lakehouse
from analytics.demo import tables
from analytics.demo.org import build_org
from analytics.demo.sink import Sink
from analytics.demo.story import Story, make_story
from analytics.demo.traffic import generate_traffic
from analytics.demo.training import training_features
from analytics.errors import InputError

PRODUCED_ELSEWHERE = ("quality_results", "alerts", "checklist_events", "stewardship_tasks",
                      "regulation_events", "fairness_audits", "audit_log", "feature_importance", "partial_dependence",
                      "alert_actions", "alert_deliveries")  # written by refresh, by people and by alert delivery
MAX_PREDICTIONS = 2_000_000_000


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate`` wrote: rows per table, files, wall time and the story's dates."""

    root: Path
    rows: dict[str, int]
    files: int
    seconds: float
    story: Story
    extras: tuple[str, ...] = field(default=())
    extras_failed: tuple[str, ...] = field(default=())

    @property
    def predictions_per_second(self) -> float:
        return self.rows.get("predictions", 0) / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        out = [f"{name:<18} {n:>13,} rows" for name, n in sorted(self.rows.items())]
        out.append(f"{self.files} files in {self.seconds:.1f}s "
                   f"({self.predictions_per_second:,.0f} prediction rows/s) -> {self.root}")
        out.append(f"data {self.story.start} .. {self.story.end}; drift from {self.story.drift_start}; "
                   f"crm_accounts stops {self.story.crm_stop_from}")
        if self.extras:
            out.append("extras: " + ", ".join(self.extras))
        out.extend(f"extra FAILED (the core demo is complete): {f}" for f in self.extras_failed)
        return out


def generate(out: Path, *, seed: int = 42, predictions: int = 2_000_000, end: date | None = None,
             feature_rows: int | None = None, usage_events: int | None = None,
             overwrite: bool = False, extras: bool = True) -> DemoSummary:
    """Build the demo lakehouse at ``out`` (24 months ending at ``end``, default today UTC).

    Deterministic for (seed, end, sizes). The lakehouse is built in a sibling temporary folder and
    renamed into place at the end, so readers never see a half-built demo. Raises ``InputError``
    when ``out`` is a non-empty folder (unless ``overwrite``), a file, or a size is invalid.
    ``extras=False`` skips the demo extras (``analytics.demo.extras``); an extra that raises is
    reported in ``DemoSummary.extras_failed`` (and as a warning) without discarding the core tables.
    """
    t0 = time.perf_counter()
    out = Path(out).expanduser().resolve()
    end = end or datetime.now(UTC).date()
    _check(out, predictions, feature_rows, usage_events, overwrite)
    usage_events = predictions // 4 if usage_events is None else usage_events
    story = make_story(end)
    out.parent.mkdir(parents=True, exist_ok=True)
    build = out.parent / f".{out.name}.building-{uuid.uuid4().hex[:8]}"
    build.mkdir()
    try:
        sink = Sink(build)
        try:
            org = build_org(story, seed)
            ctx = generate_traffic(story, org, sink, seed=seed, predictions=predictions,
                                   usage_events=usage_events, feature_rows=feature_rows)
            training_features(ctx, sink)
            sink.append("models", tables.models_table(story, org, seed))
            sink.append("model_versions", tables.versions_table(org))
            sink.append("deployments", tables.deployments_table(org))
            sink.append("registry_events", tables.registry_events_table(org))
            sink.append("eligible_users", tables.eligible_table(org))
            defs, exps = tables.experiments_tables(story, seed)
            sink.append("experiment_defs", defs)
            sink.append("experiments", exps)
            measured = {m for m, s in _concluded_winners().items() if s}
            sink.append("value_ledger", tables.ledger_table(story, org, seed, measured))
            sink.append("feedback", tables.feedback_table(story, org, seed))
            sink.append("datasets", tables.datasets_table(seed))
            sink.append("lineage", tables.lineage_table(org))
            sink.append("dataset_batches", tables.batches_table(story, seed))
        finally:
            sink.close()
        ran, failed = run_extras(build, seed=seed, end=end) if extras else ([], [])
        _swap_into_place(build, out)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return DemoSummary(out, dict(sink.rows), sink.files, time.perf_counter() - t0, story, tuple(ran),
                       tuple(failed))


def _concluded_winners() -> dict[str, bool]:
    return {spec[1]: spec[4] == "winner" for spec in tables.EXPERIMENTS_SPEC}


def _check(out: Path, predictions: int, feature_rows: int | None, usage_events: int | None,
           overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"The demo output {out} is a file, not a folder.",
                         hint="Pass --out with a folder path.")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise InputError(f"The folder {out} is not empty; the demo will not write into an existing lakehouse.",
                         hint="Pass --overwrite to replace it, or choose another --out folder.")
    if not 1_000 <= predictions <= MAX_PREDICTIONS:
        raise InputError(f"predictions must be between 1,000 and {MAX_PREDICTIONS:,}; got {predictions:,}.")
    for name, value in (("feature_rows", feature_rows), ("usage_events", usage_events)):
        if value is not None and value < 0:
            raise InputError(f"{name} must be zero or more; got {value:,}.")


def _swap_into_place(build: Path, out: Path) -> None:
    """Rename the finished build to ``out``; an existing ``out`` is moved aside first, then deleted."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(out, old)
    os.replace(build, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def run_extras(root: Path, *, seed: int, end: date) -> tuple[list[str], list[str]]:
    """Call ``extend(root, seed=, end=)`` of every module in ``analytics.demo.extras``, in name order.

    Returns (names that ran, "name: error" for those that raised). A failing extra does not stop the
    others: each owns its own tables, and the core demo stays usable.
    """
    from analytics.demo import extras

    ran, failed = [], []
    for mod in sorted(pkgutil.iter_modules(extras.__path__), key=lambda m: m.name):
        try:
            module = importlib.import_module(f"{extras.__name__}.{mod.name}")
            extend = getattr(module, "extend", None)
            if not callable(extend):
                continue
            extend(Path(root), seed=seed, end=end)
            ran.append(mod.name)
        except Exception as exc:  # noqa: BLE001 - reported, the core demo is still valid
            failed.append(f"{mod.name}: {type(exc).__name__}: {exc}")
            warnings.warn(f"demo extra '{mod.name}' failed: {type(exc).__name__}: {exc}",
                          RuntimeWarning, stacklevel=2)
    return ran, failed


__all__ = ["DemoSummary", "PRODUCED_ELSEWHERE", "generate", "lakehouse", "run_extras"]
