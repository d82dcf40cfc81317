"""Demo extra: a believable history of the readiness checklist, ending at ``end`` ("now").

Seven months of edits by the item owners: model registry and ROI tracking done (agreeing with the
evidence), monitoring dashboards marked done although the demo's evidence says 80% (a disagreement
the page highlights), the data catalog and the MLOps pipeline in progress with due dates, training
sessions overdue, the governance policy blocked, and one custom item. Deterministic for (seed, end).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np

from analytics.readiness import record

PEOPLE = {
    "Data Steward": "Maria Lopez", "CDO": "Daniel Weber", "Data Engineer": "Priya Nair",
    "ML Ops Lead": "Tom Becker", "Data Scientist": "Aiko Tanaka", "Learning & Development": "Sofia Rossi",
    "Product Manager": "James Carter",
}
WIKI = "https://wiki.example.com/scaleboard"

# (days before end, item, actor role, fields); due dates are days relative to end
STORY: tuple[tuple[int, str, str, dict], ...] = (
    (210, "governance_policy", "CDO", {"status": "in_progress", "due_date": 60,
                                       "note": "Drafting the model governance policy with Legal."}),
    (200, "model_registry", "ML Ops Lead", {"status": "in_progress", "owner": "ML Ops Lead (Tom Becker)"}),
    (185, "data_catalog", "Data Steward", {"status": "in_progress", "due_date": 30,
                                           "note": "Catalogue all datasets with owner, steward and description."}),
    (170, "mlops_pipeline", "Data Engineer", {"status": "in_progress", "due_date": 45,
                                              "note": "CI for training code live; CD to production next."}),
    (150, "training_sessions", "Learning & Development", {"status": "in_progress", "due_date": -14,
                                                          "note": "3 of 7 business units trained."}),
    (120, "roi_tracking", "Product Manager", {"status": "in_progress",
                                              "note": "Benefit definitions agreed with Finance."}),
    (95, "model_registry", "ML Ops Lead", {"status": "done", "evidence_url": f"{WIKI}/model-registry",
                                           "note": "Every production model has a registered version."}),
    (80, "governance_policy", "CDO", {"note": "Policy draft v2 circulated to business units."}),
    (64, "monitoring_dashboards", "Data Scientist", {"status": "in_progress", "due_date": 20}),
    (50, "data_catalog", "Data Steward", {"note": "14 of 18 datasets documented; HR and supplier data pending."}),
    (41, "governance_policy", "CDO", {"status": "blocked",
                                      "note": "Waiting for Legal's review of the EU AI Act obligations."}),
    (33, "training_sessions", "Learning & Development", {"note": "Logistics and HR sessions postponed."}),
    (12, "monitoring_dashboards", "Data Scientist", {"status": "done", "evidence_url": f"{WIKI}/monitoring",
                                                     "note": "Dashboards and alert routes configured."}),
    (6, "mlops_pipeline", "Data Engineer", {"note": "Blue-green deployments for the retail models."}),
    (2, "roi_tracking", "Product Manager", {"status": "done", "evidence_url": f"{WIKI}/value-ledger",
                                            "note": "Monthly value ledger reviewed with Finance."}),
)


def extend(root: Path, *, seed: int, end: date) -> None:
    rng = np.random.default_rng([seed, 66])
    base = datetime.combine(end, time(), tzinfo=UTC)

    def at(days_before: int) -> datetime:
        return base - timedelta(days=days_before) + timedelta(minutes=int(rng.integers(8 * 60, 18 * 60)))

    record.add_item(root, "Data Literacy Programme", "Learning & Development", actor=PEOPLE["CDO"],
                due_date=end + timedelta(days=90), now=at(140))
    for days_before, item, role, fields in STORY:
        f = dict(fields)
        if "due_date" in f:
            f["due_date"] = end + timedelta(days=f["due_date"])
        record.set_item(root, item, actor=PEOPLE[role], now=at(days_before), **f)
    record.set_item(root, "data_literacy_programme", actor=PEOPLE["Learning & Development"], status="in_progress",
                note="Curriculum agreed; first cohort in January.", now=at(20))
