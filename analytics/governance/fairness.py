"""Fairness audits for classifiers with a declared sensitive attribute.

Per window and group of the attribute (read from the ``features`` rows of that name, joined to
predictions and outcomes by ``request_id``):

* selection rate = predicted positives / n; disparate impact (DI) = a group's selection rate /
  the reference group's (``REFERENCE_GROUPS``, else the largest group); the four-fifths band is
  0.8 <= DI <= 1.25;
* recall (true-positive rate) and false-positive rate; parity = the difference to the reference
  group, within ``PARITY_TOLERANCE`` (0.1) in absolute value;
* every group's selection rate carries its Wilson 95% interval; groups smaller than ``min_group_size``
  (default 30) get no verdict: they show "insufficient evidence" with that interval only (no point
  rate, DI or parity); fewer than two groups with a verdict means "insufficient data";
* the reference group matches the declared name case-insensitively ("Male" is "male");
* the worst DI is the one furthest from parity on a ratio scale, DI = 0 (a group with no positive
  outcome) included: it is the worst there is.

Audits are stored in ``fairness_audits`` (one row per audit and group); a sign-off is an appended row
of the same ``audit_id`` with ``group_value`` null, ``signed_off_by/at``, the re-audit date and, for an
audit outside the band, the signer's reason (required).
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from analytics import sql
from analytics.errors import InputError, NoDataError
from analytics.lakehouse import connection, storage
from analytics.lakehouse.schema import FAIRNESS_AUDITS

BAND = (0.8, 1.25)
PARITY_TOLERANCE = 0.1
MIN_GROUP_SIZE = 30
REAUDIT_DAYS = 90
# The reference ("privileged") group per attribute, as conventional in fairness tooling, so that
# disparate impact compares the same groups window after window; other attributes (or a declared
# group too small to show) fall back to the largest shown group.
REFERENCE_GROUPS = {"gender": "male", "sex": "male"}
WILSON_Z = 1.959963984540054  # 95%


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and a.strip().casefold() == b.strip().casefold()


def _reference(attribute: str, shown: list[tuple[str, int]]) -> str | None:
    """The reference group among ``shown`` (group, n) pairs: the declared one (names compared
    case-insensitively, ignoring surrounding spaces), else the largest (ties: alphabetical)."""
    declared = REFERENCE_GROUPS.get((attribute or "").strip().casefold())
    match = next((g for g, _ in sorted(shown) if _same(g, declared)), None)
    if match is not None:
        return match
    return min(shown, key=lambda x: (-x[1], x[0]))[0] if shown else None


def wilson(k: int, n: int, z: float = WILSON_Z) -> tuple[float | None, float | None]:
    """Wilson score interval for k successes in n trials (None, None when n = 0)."""
    if n <= 0:
        return None, None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(centre - half, 0.0), min(centre + half, 1.0)


@dataclass(frozen=True)
class GroupCounts:
    group: str
    n: int
    n_selected: int
    tp: int
    fn: int
    fp: int
    tn: int


@dataclass(frozen=True)
class GroupResult:
    group: str
    n: int
    shown: bool  # False when n < min_group_size: no rates are computed
    selection_rate: float | None = None
    recall: float | None = None
    fpr: float | None = None
    disparate_impact: float | None = None
    recall_diff: float | None = None
    fpr_diff: float | None = None
    in_band: bool | None = None
    parity_ok: bool | None = None
    selection_low: float | None = None  # Wilson 95% interval of the selection rate (every group)
    selection_high: float | None = None

    @property
    def verdict(self) -> str:
        """``insufficient evidence`` (below the minimum size) | ``within band`` | ``outside band`` |
        ``no reference``."""
        if not self.shown:
            return "insufficient evidence"
        if self.in_band is None and self.parity_ok is None:
            return "no reference"
        return "outside band" if self.in_band is False or self.parity_ok is False else "within band"


@dataclass(frozen=True)
class Audit:
    model_id: str
    sensitive_attribute: str
    window_start_at: datetime
    window_end_at: datetime
    reference_group: str | None
    min_group_size: int
    groups: tuple[GroupResult, ...]

    @property
    def status(self) -> str:
        """``insufficient data`` | ``within band`` | ``outside band`` (DI or a parity breached)."""
        shown = [g for g in self.groups if g.shown]
        if len(shown) < 2 or self.reference_group is None:
            return "insufficient data"
        ok = all(g.in_band is not False and g.parity_ok is not False for g in shown)
        return "within band" if ok else "outside band"


def _div(a: float, b: float) -> float | None:
    return a / b if b else None


def compute(model_id: str, attribute: str, counts: list[GroupCounts], *, window_start_at: datetime,
            window_end_at: datetime, min_group_size: int = MIN_GROUP_SIZE,
            reference: str | None = None) -> Audit:
    """The audit from per-group confusion counts (pure). ``reference`` defaults to the attribute's
    declared reference group (``REFERENCE_GROUPS``), else the largest shown group (ties: alphabetical)."""
    if min_group_size < 1:
        raise InputError("The minimum group size must be at least 1.")
    shown = sorted((c for c in counts if c.n >= min_group_size), key=lambda c: (-c.n, c.group))
    if reference is not None:
        found = next((c.group for c in shown if _same(c.group, reference)), None)
        if found is None:
            raise InputError(f"Reference group '{reference}' has fewer than {min_group_size} rows or does not exist.")
        reference = found
    reference = reference or _reference(attribute, [(c.group, c.n) for c in shown])
    ref = next((c for c in shown if c.group == reference), None)
    ref_sel = _div(ref.n_selected, ref.n) if ref else None
    ref_rec = _div(ref.tp, ref.tp + ref.fn) if ref else None
    ref_fpr = _div(ref.fp, ref.fp + ref.tn) if ref else None
    out = []
    for c in sorted(counts, key=lambda c: c.group):
        low, high = wilson(c.n_selected, c.n)
        if c.n < min_group_size:
            out.append(GroupResult(c.group, c.n, False, selection_low=low, selection_high=high))
            continue
        sel, rec, fpr = _div(c.n_selected, c.n), _div(c.tp, c.tp + c.fn), _div(c.fp, c.fp + c.tn)
        di = _div(sel, ref_sel) if ref_sel else None
        rd = rec - ref_rec if rec is not None and ref_rec is not None else None
        fd = fpr - ref_fpr if fpr is not None and ref_fpr is not None else None
        parity = None if rd is None and fd is None else all(
            abs(d) <= PARITY_TOLERANCE + 1e-12 for d in (rd, fd) if d is not None)
        out.append(GroupResult(c.group, c.n, True, sel, rec, fpr, di, rd, fd,
                               None if di is None else BAND[0] <= di <= BAND[1], parity, low, high))
    return Audit(model_id, attribute, window_start_at, window_end_at, ref.group if ref else None,
                 min_group_size, tuple(out))


def counts(con: duckdb.DuckDBPyConnection, model_id: str, attribute: str, *, start: datetime,
           end: datetime, threshold: float = 0.5) -> list[GroupCounts]:
    """Confusion counts per group for labelled predictions in [start, end)."""
    df = sql.run(con, "fairness_confusion", model_id=model_id, attribute=attribute,
                 start_at=start, end_at=end, threshold=threshold)
    return [GroupCounts(r["group_value"], r["n"], r["n_selected"], r["tp"], r["fn"], r["fp"], r["tn"])
            for r in df.iter_rows(named=True)]


def audit_model(con: duckdb.DuckDBPyConnection, model_id: str, *, start: datetime, end: datetime,
                min_group_size: int = MIN_GROUP_SIZE, threshold: float = 0.5) -> Audit:
    """Audit one classifier over [start, end). Raises ``InputError`` when the model is not a classifier
    with a sensitive attribute, ``NoDataError`` when no labelled predictions carry the attribute."""
    row = con.sql("select task, sensitive_attribute from models where model_id = $m",
                  params={"m": model_id}).fetchall()
    if not row:
        raise InputError(f"There is no model '{model_id}'.")
    task, attribute = row[0]
    if task != "classification" or not attribute:
        raise InputError(f"Model '{model_id}' is not a classifier with a declared sensitive attribute.")
    found = counts(con, model_id, attribute, start=start, end=end, threshold=threshold)
    if not found:
        raise NoDataError(f"No labelled predictions of {model_id} with '{attribute}' between "
                          f"{start:%Y-%m-%d} and {end:%Y-%m-%d}.")
    return compute(model_id, attribute, found, window_start_at=start, window_end_at=end,
                   min_group_size=min_group_size)


def audited_models(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Classifiers with a declared sensitive attribute (the ones fairness audits apply to)."""
    return [r[0] for r in con.sql("select model_id from models where task = 'classification' and "
                                  "sensitive_attribute is not null order by model_id").fetchall()]


# ---------------------------------------------------------------- records

def record(root: Path | str, audit: Audit, *, audited_at: datetime | None = None,
           reaudit_on: date | None = None) -> str:
    """Append the audit (one row per group; suppressed groups keep only their size); return its id."""
    at = audited_at or datetime.now(UTC)
    audit_id = f"fa-{audit.model_id}-{at:%Y%m%d}-{uuid.uuid4().hex[:6]}"
    reaudit_on = reaudit_on or (at + timedelta(days=REAUDIT_DAYS)).date()
    rows = [{"audit_id": audit_id, "audited_at": at, "model_id": audit.model_id,
             "sensitive_attribute": audit.sensitive_attribute, "group_value": g.group, "n": g.n,
             "selection_rate": g.selection_rate, "recall": g.recall, "fpr": g.fpr,
             "disparate_impact": g.disparate_impact, "window_start_at": audit.window_start_at,
             "window_end_at": audit.window_end_at, "reaudit_on": reaudit_on,
             "selection_low": g.selection_low, "selection_high": g.selection_high} for g in audit.groups]
    storage.append(root, "fairness_audits", pa.Table.from_pylist(rows, schema=FAIRNESS_AUDITS.schema))
    return audit_id


def sign_off(root: Path | str, audit_id: str, *, actor: str, reaudit_on: date, reason: str | None = None,
             now: datetime | None = None) -> None:
    """Append a sign-off for ``audit_id`` by ``actor`` with the next re-audit date (must be later).
    Signing off an audit outside the band needs a ``reason``, recorded with the sign-off."""
    now = now or datetime.now(UTC)
    if not (actor or "").strip():
        raise InputError("Say who signs the audit off (actor is empty).")
    if reaudit_on <= now.date():
        raise InputError("The re-audit date must be in the future.")
    con = connection.connect(root, tables=["fairness_audits"])
    try:
        found = con.sql("select any_value(model_id), any_value(sensitive_attribute) from fairness_audits "
                        "where audit_id = $a", params={"a": audit_id}).fetchall()
        status = None
        if found and found[0][0] is not None:
            mine = summary(con, as_of=now.date(), model_id=found[0][0])
            mine = mine.filter(pl.col("audit_id") == audit_id) if mine.height else mine
            status = mine["status"][0] if mine.height else None
    finally:
        con.close()
    if not found or found[0][0] is None:
        raise InputError(f"There is no fairness audit '{audit_id}'.")
    reason = (reason or "").strip() or None
    if status == "outside band" and reason is None:
        raise InputError(f"Audit {audit_id} is outside the band: say why you sign it off anyway (reason is empty).")
    row = {"audit_id": audit_id, "audited_at": now, "model_id": found[0][0],
           "sensitive_attribute": found[0][1], "signed_off_by": actor.strip(), "signed_off_at": now,
           "reaudit_on": reaudit_on, "sign_off_reason": reason}
    storage.append(root, "fairness_audits", pa.Table.from_pylist([row], schema=FAIRNESS_AUDITS.schema))


def audits(con: duckdb.DuckDBPyConnection, *, as_of: date, model_id: str | None = None) -> pl.DataFrame:
    """One row per audit and group with its sign-off state (latest sign-off), the re-audit date and
    ``is_overdue`` (re-audit date before ``as_of``), newest audit first."""
    return sql.run(con, "fairness_audits_current", as_of=as_of, model_id=model_id)


def summary(con: duckdb.DuckDBPyConnection, *, as_of: date, model_id: str | None = None) -> pl.DataFrame:
    """One row per audit: window, status (band/parity from the stored group rates), sign-off, overdue."""
    df = audits(con, as_of=as_of, model_id=model_id)
    out = []
    for (audit_id,), g in df.group_by(["audit_id"], maintain_order=True):
        first = g.row(0, named=True)
        audit = _stored(first, g)
        out.append({"audit_id": audit_id, "model_id": first["model_id"], "audited_at": first["audited_at"],
                    "window_start_at": first["window_start_at"], "window_end_at": first["window_end_at"],
                    "sensitive_attribute": first["sensitive_attribute"], "reference_group": audit.reference_group,
                    "status": audit.status, "worst_di": worst_di(audit),
                    "signed_off_by": first["signed_off_by"], "signed_off_at": first["signed_off_at"],
                    "sign_off_reason": first.get("sign_off_reason"),
                    "reaudit_on": first["reaudit_on"], "is_overdue": first["is_overdue"],
                    "is_latest": first["is_latest"]})
    return pl.DataFrame(out, infer_schema_length=None) if out else pl.DataFrame()


def _stored(first: dict, g: pl.DataFrame) -> Audit:
    """Rebuild band and parity verdicts from stored group rates (reference = largest shown group)."""
    shown = g.filter(pl.col("selection_rate").is_not_null())
    ref_name = _reference(first["sensitive_attribute"], list(zip(shown["group_value"], shown["n"], strict=True)))
    ref = shown.filter(pl.col("group_value") == ref_name).row(0, named=True) if ref_name else None
    groups = []
    for r in g.sort("group_value").iter_rows(named=True):
        low, high = r.get("selection_low"), r.get("selection_high")
        if r["selection_rate"] is None or ref is None:
            groups.append(GroupResult(r["group_value"], r["n"], False, selection_low=low, selection_high=high))
            continue
        rd = None if r["recall"] is None or ref["recall"] is None else r["recall"] - ref["recall"]
        fd = None if r["fpr"] is None or ref["fpr"] is None else r["fpr"] - ref["fpr"]
        di = r["disparate_impact"]
        parity = None if rd is None and fd is None else all(
            abs(d) <= PARITY_TOLERANCE + 1e-12 for d in (rd, fd) if d is not None)
        groups.append(GroupResult(r["group_value"], r["n"], True, r["selection_rate"], r["recall"], r["fpr"], di,
                                  rd, fd, None if di is None else BAND[0] <= di <= BAND[1], parity, low, high))
    return Audit(first["model_id"], first["sensitive_attribute"], first["window_start_at"], first["window_end_at"],
                 ref["group_value"] if ref else None, 0, tuple(groups))


def worst_di(audit: Audit) -> float | None:
    """The shown group's disparate impact furthest from parity (1.0) on a ratio scale (0.5 and 2.0
    are equally far; DI = 0, a group never selected, is the furthest), None when nothing is shown."""
    dis = [g.disparate_impact for g in audit.groups if g.disparate_impact is not None]
    return max(dis, key=lambda d: math.inf if d <= 0 else abs(math.log(d)), default=None)


def group_table(audit: Audit) -> pl.DataFrame:
    """The audit as a table for display: suppressed groups show only their size."""
    return pl.DataFrame([{"group": g.group, "n": g.n, "shown": g.shown, "verdict": g.verdict,
                          "selection_rate": g.selection_rate, "selection_low": g.selection_low,
                          "selection_high": g.selection_high, "disparate_impact": g.disparate_impact, "in_band": g.in_band, "recall": g.recall,
                          "recall_diff": g.recall_diff, "fpr": g.fpr, "fpr_diff": g.fpr_diff,
                          "parity_ok": g.parity_ok} for g in audit.groups], infer_schema_length=None)


def run_audit(root: Path | str, model_id: str, *, start: datetime, end: datetime,
              min_group_size: int = MIN_GROUP_SIZE, now: datetime | None = None) -> str:
    """Audit ``model_id`` over [start, end) on the lakehouse and store it; return the audit id."""
    con = connection.connect(root, tables=["models", "predictions", "outcomes", "features"])
    try:
        audit = audit_model(con, model_id, start=start, end=end, min_group_size=min_group_size)
    finally:
        con.close()
    return record(root, audit, audited_at=now)


def latest_groups(con: duckdb.DuckDBPyConnection, *, as_of: date, model_id: str) -> pl.DataFrame:
    """The latest audit of the model, one row per group with band and parity verdicts (suppressed
    groups show only their size)."""
    df = audits(con, as_of=as_of, model_id=model_id)
    if df.is_empty():
        return pl.DataFrame()
    latest_id = df.filter(pl.col("is_latest"))["audit_id"][0]
    g = df.filter(pl.col("audit_id") == latest_id)
    return group_table(_stored(g.row(0, named=True), g))
