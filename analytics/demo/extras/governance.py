"""Demo extra: a lived-in regulation tracker and fairness audits for the credit classifiers.

* Regulation tracker: most cells of production assets were reviewed in the last year by their
  steward or owner, with an evidence link; a few are ``in_progress`` or ``gap``; some reviews are
  overdue (next review before ``end``); ``crm_accounts`` erasure is being reworked.
* Fairness: each classifier with a sensitive attribute is audited per quarter (90-day windows
  ending at ``end``); older audits are signed off, the latest waits for sign-off.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from analytics.errors import NoDataError
from analytics.governance import fairness, regulation
from analytics.lakehouse import connection, storage
from analytics.lakehouse.schema import FAIRNESS_AUDITS, REGULATION_EVENTS

AUDIT_WINDOWS = 4
EVIDENCE = "https://wiki.example.com/compliance/{regulation}/{asset}/{obligation}"


def _regulation_events(root: Path, rng: np.random.Generator, end: date) -> list[dict]:
    con = connection.connect(root, tables=["datasets", "models", "lineage", "regulation_events"])
    try:
        cells = regulation.matrix(con, as_of=end)
    finally:
        con.close()
    rows = []
    end_dt = datetime(end.year, end.month, end.day, 17, tzinfo=UTC)
    for c in cells.iter_rows(named=True):
        draw = rng.random()
        if draw < 0.15:
            continue  # never assessed
        status = "compliant" if draw < 0.78 else "in_progress" if draw < 0.92 else "gap"
        if c["asset_id"] == "crm_accounts" and c["obligation"] == "subject_access_erasure":
            status = "in_progress"
        reviewed = end - timedelta(days=int(rng.integers(10, 330)))
        cadence = int(rng.choice([180, 365, 365, 365]))
        owner = c["owner"] or "Compliance office"
        rows.append({
            "event_id": uuid.UUID(int=int(rng.integers(2**63)) << 64 | int(rng.integers(2**63))).hex,
            "event_at": datetime(reviewed.year, reviewed.month, reviewed.day, 15, tzinfo=UTC),
            "actor": owner, "asset_kind": c["asset_kind"], "asset_id": c["asset_id"],
            "regulation": c["regulation"], "obligation": c["obligation"], "status": status, "owner": owner,
            "evidence_url": EVIDENCE.format(regulation=c["regulation"].lower(), asset=c["asset_id"],
                                            obligation=c["obligation"]) if status != "gap" else None,
            "reviewed_on": reviewed, "next_review_on": reviewed + timedelta(days=cadence),
            "note": {"compliant": "Reviewed; controls in place.", "in_progress": "Remediation under way.",
                     "gap": "Control missing; remediation planned."}[status]})
    # the story's edit trail: the erasure process for crm_accounts reviewed last week
    rows.append({**rows[-1], "event_id": uuid.uuid4().hex, "event_at": end_dt - timedelta(days=6),
                 "asset_kind": "dataset", "asset_id": "crm_accounts", "regulation": "GDPR",
                 "obligation": "subject_access_erasure", "status": "in_progress", "owner": "Sven Andersson",
                 "actor": "Sven Andersson", "reviewed_on": end - timedelta(days=6),
                 "next_review_on": end + timedelta(days=30), "evidence_url": EVIDENCE.format(
                     regulation="gdpr", asset="crm_accounts", obligation="subject_access_erasure"),
                 "note": "Erasure runbook rewritten for the new Salesforce extract; test deletion pending."})
    return rows


def _audits(root: Path, end: date) -> None:
    end_dt = datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1)
    con = connection.connect(root, tables=["models", "predictions", "outcomes", "features"])
    rows, signoffs = [], []
    try:
        for model_id in fairness.audited_models(con):
            for k in range(AUDIT_WINDOWS - 1, -1, -1):
                w_end = end_dt - timedelta(days=90 * k)
                try:
                    audit = fairness.audit_model(con, model_id, start=w_end - timedelta(days=90), end=w_end)
                except NoDataError:
                    continue
                at = w_end + timedelta(days=2) if k else w_end - timedelta(hours=6)
                audit_id = f"fa-{model_id}-{at:%Y%m%d}"
                for g in audit.groups:
                    rows.append({"audit_id": audit_id, "audited_at": at, "model_id": model_id,
                                 "sensitive_attribute": audit.sensitive_attribute, "group_value": g.group,
                                 "n": g.n, "selection_rate": g.selection_rate, "recall": g.recall, "fpr": g.fpr,
                                 "disparate_impact": g.disparate_impact,
                                 "window_start_at": audit.window_start_at, "window_end_at": audit.window_end_at,
                                 "reaudit_on": (at + timedelta(days=90)).date()})
                if k:  # older audits were signed off by the model owner within a week
                    signed = at + timedelta(days=5)
                    signoffs.append({"audit_id": audit_id, "audited_at": signed, "model_id": model_id,
                                     "sensitive_attribute": audit.sensitive_attribute,
                                     "signed_off_by": "Model Risk Committee", "signed_off_at": signed,
                                     "reaudit_on": (at + timedelta(days=92)).date()})
    finally:
        con.close()
    if rows or signoffs:
        storage.append(root, "fairness_audits",
                         pa.Table.from_pylist(rows + signoffs, schema=FAIRNESS_AUDITS.schema))


def extend(root: Path, *, seed: int, end: date) -> None:
    rng = np.random.default_rng([seed, 51])
    events = _regulation_events(root, rng, end)
    if events:
        storage.append(root, "regulation_events", pa.Table.from_pylist(events, schema=REGULATION_EVENTS.schema))
    _audits(root, end)
