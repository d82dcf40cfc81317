"""The regulation tracker: data assets and models against obligations, one cell per
(asset, regulation, obligation), event-sourced in ``regulation_events`` (latest edit wins).

Which cells exist: a dataset gets the obligations of the regulations listed in the catalog; a model
(not retired) gets SOC 2 plus the regulations of the datasets feeding it through lineage
(dataset -> feature -> ``<model_id>@<version>``). Cells never edited read ``not_assessed``.
A cell is overdue when its next review date is before ``as_of``. Every edit is appended with who
and when; nothing is overwritten.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from analytics import sql
from analytics.errors import InputError
from analytics.lakehouse import storage
from analytics.lakehouse.schema import REGULATION_EVENTS

OBLIGATIONS: dict[str, tuple[str, ...]] = {
    "GDPR": ("lawful_basis", "consent_tracking", "subject_access_erasure", "anonymisation"),
    "CCPA": ("data_inventory", "opt_out"),
    "SOC2": ("logging", "encryption", "audit_trail"),
}
LABELS = {
    "lawful_basis": "Lawful basis", "consent_tracking": "Consent tracking",
    "subject_access_erasure": "Subject access & erasure", "anonymisation": "Anonymisation",
    "data_inventory": "Data inventory", "opt_out": "Opt-out", "logging": "Logging",
    "encryption": "Encryption", "audit_trail": "Audit trail",
}
STATUSES = ("not_assessed", "in_progress", "compliant", "gap", "not_applicable")
ASSET_KINDS = ("dataset", "model")
_URL = re.compile(r"^https?://\S+$")


def _pairs() -> tuple[list[str], list[str]]:
    regs = [r for r, obs in OBLIGATIONS.items() for _ in obs]
    obs = [o for os_ in OBLIGATIONS.values() for o in os_]
    return regs, obs


def matrix(con: duckdb.DuckDBPyConnection, *, as_of: date, asset_kind: str | None = None) -> pl.DataFrame:
    """One row per cell: status, owner, evidence link, last review, next review, ``is_overdue``."""
    regs, obs = _pairs()
    return sql.run(con, "regulation_matrix", regulations=regs, obligations=obs, as_of=as_of,
                   asset_kind=asset_kind)


def history(con: duckdb.DuckDBPyConnection, *, asset_id: str | None = None) -> pl.DataFrame:
    """Every edit, newest first (the audit trail of the tracker)."""
    return sql.run(con, "regulation_history", asset_id=asset_id)


def pivot(cells: pl.DataFrame) -> pl.DataFrame:
    """Assets as rows, ``REG: obligation`` as columns, the status as the value (for the matrix view);
    an overdue cell reads ``<status> (overdue)``; obligations that do not apply stay empty."""
    if cells.is_empty():
        return pl.DataFrame()
    df = cells.with_columns(
        (pl.col("regulation") + ": " + pl.col("obligation").replace_strict(LABELS, default=pl.col("obligation")))
        .alias("cell"),
        pl.when(pl.col("is_overdue")).then(pl.col("status") + " (overdue)").otherwise(pl.col("status"))
        .alias("value"))
    order = [f"{r}: {LABELS[o]}" for r, os_ in OBLIGATIONS.items() for o in os_]
    wide = df.pivot(on="cell", index=["asset_kind", "asset_id"], values="value", aggregate_function="first")
    return wide.select("asset_kind", "asset_id", *[c for c in order if c in wide.columns])


def record(root: Path | str, *, actor: str, asset_kind: str, asset_id: str, regulation: str, obligation: str,
           status: str, owner: str | None = None, evidence_url: str | None = None,
           reviewed_on: date | None = None, next_review_on: date | None = None, note: str | None = None,
           now: datetime | None = None) -> dict:
    """Append one edit of a cell; raises ``InputError`` (and writes nothing) when a value is invalid."""
    now = now or datetime.now(UTC)
    if not (actor or "").strip():
        raise InputError("Say who is editing the tracker (actor is empty).")
    if asset_kind not in ASSET_KINDS:
        raise InputError(f"Asset kind must be one of {', '.join(ASSET_KINDS)}; got {asset_kind!r}.")
    if not (asset_id or "").strip():
        raise InputError("Choose the dataset or model the obligation applies to.")
    if regulation not in OBLIGATIONS:
        raise InputError(f"Regulation must be one of {', '.join(OBLIGATIONS)}; got {regulation!r}.")
    if obligation not in OBLIGATIONS[regulation]:
        raise InputError(f"{regulation} obligations are {', '.join(OBLIGATIONS[regulation])}; got {obligation!r}.")
    if status not in STATUSES:
        raise InputError(f"Status must be one of {', '.join(STATUSES)}; got {status!r}.")
    evidence_url = (evidence_url or "").strip() or None
    if evidence_url and not _URL.match(evidence_url):
        raise InputError(f"The evidence link {evidence_url!r} is not an http(s) URL.")
    if status == "compliant" and not evidence_url:
        raise InputError("Marking an obligation compliant needs an evidence link.")
    if reviewed_on and reviewed_on > now.date():
        raise InputError("The review date cannot be in the future.")
    if reviewed_on and next_review_on and next_review_on <= reviewed_on:
        raise InputError("The next review must come after the last review.")
    row = {"event_id": uuid.uuid4().hex, "event_at": now, "actor": actor.strip(), "asset_kind": asset_kind,
           "asset_id": asset_id.strip(), "regulation": regulation, "obligation": obligation, "status": status,
           "owner": (owner or "").strip() or None, "evidence_url": evidence_url, "reviewed_on": reviewed_on,
           "next_review_on": next_review_on, "note": (note or "").strip() or None}
    storage.append(root, "regulation_events", pa.Table.from_pylist([row], schema=REGULATION_EVENTS.schema))
    return row


def headline(con: duckdb.DuckDBPyConnection, *, as_of: date) -> dict[str, float | int | None]:
    """Cells, share compliant (of cells that apply: not ``not_applicable``), gaps, overdue reviews,
    never assessed."""
    cells = matrix(con, as_of=as_of)
    applies = cells.filter(pl.col("status") != "not_applicable")
    return {"n_cells": cells.height,
            "share_compliant": (applies.filter(pl.col("status") == "compliant").height / applies.height
                                if applies.height else None),
            "n_gaps": cells.filter(pl.col("status") == "gap").height,
            "n_overdue": cells.filter(pl.col("is_overdue")).height,
            "n_not_assessed": cells.filter(pl.col("status") == "not_assessed").height}


def overdue(con: duckdb.DuckDBPyConnection, *, as_of: date) -> pl.DataFrame:
    """Cells whose next review date has passed, the longest overdue first."""
    return (matrix(con, as_of=as_of).filter(pl.col("is_overdue"))
            .select("asset_kind", "asset_id", "regulation", "obligation", "status", "owner", "next_review_on",
                    "evidence_url").sort("next_review_on"))
