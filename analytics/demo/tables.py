"""The small tables: inventory, versions, deployments, eligibility, ledger, experiments, feedback,
catalog, lineage and feed batches. Each ``*_table`` returns a pyarrow table for ``Sink.append``."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from analytics.demo.enterprise import (
    BUSINESS_UNITS,
    DATASETS,
    FINANCE_ANALYSTS,
    MODELS,
    PEOPLE,
)
from analytics.demo.org import Org, created_at_us
from analytics.demo.story import US_PER_DAY, Story, to_us
from analytics.lakehouse.schema import TABLES

US_PER_HOUR = 3_600_000_000
TS = pa.timestamp("us", tz="UTC")


def _table(name: str, rows: list[dict]) -> pa.Table:
    """Rows -> a table with the contract's schema (timestamps given as epoch microseconds)."""
    schema = TABLES[name].schema
    cols = {}
    for f in schema:
        values = [r.get(f.name) for r in rows]
        if pa.types.is_timestamp(f.type):
            cols[f.name] = pa.array(values, pa.int64()).cast(f.type)
        else:
            cols[f.name] = pa.array(values, f.type)
    return pa.table(cols, schema=schema)


def owners(seed: int) -> dict[str, str]:
    rng = np.random.default_rng([seed, 3])
    return {m.model_id: PEOPLE[int(i)] for m, i in zip(MODELS, rng.integers(0, len(PEOPLE), len(MODELS)),
                                                        strict=True)}


NO_ALERT_ROUTE = ("workforce_scheduler", "eta_prediction", "route_optimizer")  # governance gaps to find


def models_table(story: Story, org: Org, seed: int) -> pa.Table:
    own = owners(seed)
    rows = []
    for m, spec in enumerate(MODELS):
        route = None
        if spec.stage == "production" and spec.model_id not in NO_ALERT_ROUTE:
            route = f"#ml-alerts-{spec.business_unit.lower().replace(' ', '-')}"
        rows.append({"model_id": spec.model_id, "name": spec.name, "description": spec.description,
                     "business_unit": spec.business_unit, "owner": own[spec.model_id],
                     "risk_tier": spec.risk_tier, "stage": spec.stage, "task": spec.task,
                     "created_at": created_at_us(story, org.created_day[m]),
                     "sensitive_attribute": spec.sensitive_attribute, "alert_route": route})
    return _table("models", rows)


def versions_table(org: Org) -> pa.Table:
    return _table("model_versions", org.versions)


def deployments_table(org: Org) -> pa.Table:
    return _table("deployments", org.deployments)


def registry_events_table(org: Org) -> pa.Table:
    """Aliases and approvals as a registry keeps them (no random draws: the rest of the demo stays as
    it was). A version that reached production was approved two days after registration (high-risk
    models by the model risk office, others by their registrant's peer); ``champion`` points at the
    newest version with a successful production deployment, ``challenger`` at a newer one."""
    risk = {s.model_id: s.risk_tier for s in MODELS}
    in_prod: dict[tuple[str, str], int] = {}
    for d in org.deployments:
        if d["environment"] == "production" and d["status"] == "success":
            key = (d["model_id"], d["version"])
            in_prod[key] = min(in_prod.get(key, d["deployed_at"]), d["deployed_at"])
    rows, day_us = [], 86_400_000_000
    by_model: dict[str, list[dict]] = {}
    for v in org.versions:
        by_model.setdefault(v["model_id"], []).append(v)
    for model_id, versions in by_model.items():
        versions = sorted(versions, key=lambda v: v["registered_at"])
        for i, v in enumerate(versions):
            if (model_id, v["version"]) not in in_prod:
                continue
            approver = "Model Risk Office" if risk[model_id] == "high" else PEOPLE[(i + len(model_id)) % len(PEOPLE)]
            rows.append({"event_id": f"reg-{model_id}-{v['version']}-approval", "event_at": v["registered_at"] + 2 * day_us,
                         "model_id": model_id, "version": v["version"], "kind": "approval", "name": "approved",
                         "value": "approved", "actor": approver, "registry_source": "demo"})
        live = [v for v in versions if (model_id, v["version"]) in in_prod]
        if live:
            champ = live[-1]
            rows.append({"event_id": f"reg-{model_id}-champion", "event_at": in_prod[(model_id, champ["version"])],
                         "model_id": model_id, "version": champ["version"], "kind": "alias", "name": "champion",
                         "value": None, "actor": champ["registered_by"], "registry_source": "demo"})
            newer = [v for v in versions if v["registered_at"] > champ["registered_at"]]
            if newer:
                rows.append({"event_id": f"reg-{model_id}-challenger", "event_at": newer[-1]["registered_at"],
                             "model_id": model_id, "version": newer[-1]["version"], "kind": "alias",
                             "name": "challenger", "value": None, "actor": newer[-1]["registered_by"],
                             "registry_source": "demo"})
    return _table("registry_events", rows)


def eligible_table(org: Org) -> pa.Table:
    return _table("eligible_users", org.eligible)


# ------------------------------------------------------------------ value ledger

def _months(story: Story) -> list:
    return story.months()


LEDGER_SCALE = 0.5  # keeps the portfolio at a few $M of benefit a year


def ledger_table(story: Story, org: Org, seed: int, measured: set[str]) -> pa.Table:
    """Monthly benefit and cost per model; benefit ramps with adoption, a few models never pay off,
    entries are keyed in a week after month end, and a few are corrected later."""
    rng = np.random.default_rng([seed, 5])
    months = story.months()
    month_of_day = story.month_of_day()
    rows = []
    for m, spec in enumerate(MODELS):
        full = max(1, int(org.active[:, m].max()))
        value = spec.value_usd * LEDGER_SCALE
        people = value * rng.uniform(0.12, 0.2) + 1500
        infra = value * rng.uniform(0.04, 0.08) + 400
        licences = float(rng.choice([0, 0, 600, 1500]))
        if not spec.pays_off:
            people, infra = people + 3000, infra + 1200
        for i, month in enumerate(months):
            days = np.flatnonzero(month_of_day == i)
            adoption = org.active[days, m].mean() / full if len(days) else 0
            live = org.launch_day[m] <= days[-1] and org.retire_day[m] > days[0]
            if not live and org.launch_day[m] > days[-1] + 90:
                continue  # not started yet
            entered = to_us(months[i + 1] if i + 1 < len(months) else story.end) + int(
                rng.integers(3, 12)) * US_PER_DAY + int(rng.integers(8, 18)) * US_PER_HOUR
            if i + 1 >= len(months) or entered >= story.end_us:
                continue  # this month is not booked yet
            by = FINANCE_ANALYSTS[int(rng.integers(len(FINANCE_ANALYSTS)))]
            base = {"month": month, "model_id": spec.model_id, "entered_by": by, "entered_at": entered}
            if live:
                benefit = value * adoption * rng.normal(1, 0.08)
                if not spec.pays_off:
                    benefit = min(benefit, 0.35 * (people + infra))
                if benefit > 0:
                    exp_measured = spec.model_id in measured and i >= len(months) - 10
                    attr = "measured" if exp_measured else ("estimated" if rng.random() < 0.7 else "self_reported")
                    rows.append({**base, "category": spec.benefit, "amount_usd": round(benefit, 2),
                                 "attribution": attr,
                                 "ci_low_usd": round(benefit * 0.75, 2) if exp_measured else None,
                                 "ci_high_usd": round(benefit * 1.25, 2) if exp_measured else None,
                                 "note": "A/B test readout" if exp_measured else None})
            build = 1.6 if (days[0] - org.launch_day[m]) < 120 else 1.0  # build phase costs more
            ppl = people * build * rng.normal(1, 0.05) * (1.0 if live else 0.4)
            rows.append({**base, "category": "people", "amount_usd": round(ppl, 2), "attribution": "estimated"})
            if live:
                rows.append({**base, "category": "infrastructure", "amount_usd":
                             round(infra * (0.6 + 0.6 * adoption) * rng.normal(1, 0.06), 2),
                             "attribution": "measured", "note": "cloud bill"})
                if licences:
                    rows.append({**base, "category": "licences", "amount_usd": licences,
                                 "attribution": "measured"})
    # corrections: a later entry for the same month/model/category keeps the history visible
    for j in rng.choice(len(rows), 12, replace=False):
        r = rows[j]
        later = r["entered_at"] + int(rng.integers(15, 40)) * US_PER_DAY
        if later < story.end_us:
            rows.append({**r, "amount_usd": round(r["amount_usd"] * rng.uniform(0.8, 1.15), 2),
                         "entered_at": later, "entered_by": "Elena Rossi",
                         "note": "Corrected after finance reconciliation"})
    return _table("value_ledger", rows)


# ------------------------------------------------------------------ experiments

EXPERIMENTS_SPEC = (
    # id, model, name, hypothesis, kind, units, treatment lift (conversion, revenue), split, days before end
    ("exp-basket-ranking-v2", "basket_recommender", "Basket ranking v2",
     "Re-ranking add-ons by margin lifts conversion and revenue per user.", "winner", 20_000, (0.012, 1.6), 0.5, 330),
    ("exp-churn-offer-targeting", "churn_propensity", "Retention offer targeting",
     "Targeting offers by churn score raises retention revenue.", "winner", 16_000, (0.015, 2.2), 0.5, 260),
    ("exp-lead-routing", "lead_scoring", "Lead routing by score",
     "Routing high-score leads first converts more of them.", "winner", 12_000, (0.02, 3.0), 0.5, 200),
    ("exp-credit-bureau-features", "credit_risk_scoring", "Bureau features in credit model",
     "Adding bureau features improves approvals without more defaults.", "flat", 14_000, (0.0, 0.0), 0.5, 150),
    ("exp-price-elasticity", "price_optimizer", "Elasticity-aware prices",
     "Elasticity-aware prices raise revenue per customer.", "srm", 20_000, (0.004, 0.5), 0.52, 120),
    ("exp-fraud-threshold", "fraud_detection", "Adaptive fraud threshold",
     "An adaptive threshold lowers losses without more declines.", "running", 2_400, (0.004, 0.4), 0.5, 21),
)


def experiments_tables(story: Story, seed: int) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng([seed, 6])
    defs, rows = [], []
    for exp_id, model_id, name, hyp, kind, n, (lift_c, lift_r), split, ago in EXPERIMENTS_SPEC:
        started = story.end_us - ago * US_PER_DAY + 9 * US_PER_HOUR
        ended = None if kind == "running" else started + 42 * US_PER_DAY
        defs.append({"experiment_id": exp_id, "model_id": model_id, "name": name, "hypothesis": hyp,
                     "control": "control", "primary_metric": "conversion", "started_at": started,
                     "ended_at": ended, "status": "running" if kind == "running" else "concluded"})
        treat = rng.random(n) < split
        span = (ended or story.end_us) - started
        assigned = started + (rng.random(n) * span * 0.5).astype(np.int64)
        # pre-period behaviour predicts the metric (rho ~0.7) so CUPED reduces variance
        pre_rev = rng.gamma(2.0, 12.0, n)
        rev = 0.7 * pre_rev + rng.gamma(2.0, 5.0, n) + treat * lift_r * rng.uniform(0.5, 1.5, n)
        pre_conv = (rng.random(n) < 0.08 + 0.004 * np.minimum(pre_rev, 60)).astype(float)
        p_conv = 0.06 + 0.25 * pre_conv + treat * lift_c
        conv = (rng.random(n) < p_conv).astype(float)
        units = pa.array([f"{exp_id[4:10]}-{i:06d}" for i in range(n)])
        variant = np.where(treat, "treatment", "control")
        for metric, kind_, value, pre in (("conversion", "proportion", conv, pre_conv),
                                          ("revenue_per_user", "mean", np.round(rev, 2), np.round(pre_rev, 2))):
            rows.append(pa.table({
                "experiment_id": pa.array([exp_id] * n), "unit_id": units, "variant": pa.array(variant),
                "assigned_at": pa.array(assigned).cast(TS), "metric": pa.array([metric] * n),
                "metric_kind": pa.array([kind_] * n), "value": pa.array(value, pa.float64()),
                "pre_value": pa.array(pre, pa.float64())}))
    return _table("experiment_defs", defs), pa.concat_tables(rows).cast(TABLES["experiments"].schema)


# ------------------------------------------------------------------ feedback

COMMENTS = {
    1: ("Recommendations are off, we ignore them.", "Not useful for our market.", "Too many false alarms."),
    2: ("Often wrong since spring.", "Hard to trust without explanations.", "Slow and rarely relevant."),
    3: ("Useful sometimes.", "OK, but needs local data.", "Mixed results this month."),
    4: ("Saves us time every week.", "Good hit rate.", "Helpful for planning."),
    5: ("Indispensable now.", "Clear uplift for our team.", "Great, the team relies on it."),
}


def feedback_table(story: Story, org: Org, seed: int) -> pa.Table:
    rng = np.random.default_rng([seed, 7])
    rows = []
    for m, spec in enumerate(MODELS):
        users = org.adopt_users[m]
        if not len(users):
            continue
        lo, hi = max(org.launch_day[m], 0), min(org.retire_day[m], story.n_days)
        if hi <= lo:
            continue
        for _ in range(int(rng.integers(15, 50))):
            d = int(rng.integers(lo, hi))
            mean = 3.9 if spec.pays_off else 2.4
            if spec.model_id == "basket_recommender" and story.day(story.drift_start) <= d < story.day(story.drift_end):
                mean = 2.3
            if spec.model_id == "churn_propensity" and d >= story.day(story.churn_drift_from):
                mean = 2.6
            rating = int(np.clip(round(rng.normal(mean, 0.8)), 1, 5))
            rows.append({"submitted_at": story.start_us + d * US_PER_DAY + int(rng.integers(8, 19)) * US_PER_HOUR,
                         "model_id": spec.model_id, "user_id": org.user_ids[int(rng.choice(users))],
                         "rating": rating, "comment": str(rng.choice(COMMENTS[rating]))})
    rows.sort(key=lambda r: r["submitted_at"])
    return _table("feedback", rows)


# ------------------------------------------------------------------ catalog, lineage, batches

def datasets_table(seed: int) -> pa.Table:
    rng = np.random.default_rng([seed, 8])
    rows = []
    for d in DATASETS:
        rows.append({"dataset_id": d.dataset_id, "name": d.name, "domain": d.domain, "description": d.description,
                     "owner": PEOPLE[int(rng.integers(len(PEOPLE)))] if d.has_owner else None,
                     "steward": PEOPLE[int(rng.integers(len(PEOPLE)))] if d.has_steward else None,
                     "source_system": d.source_system, "is_pii": d.is_pii, "regulations": list(d.regulations),
                     "retention_days": d.retention_days, "table_name": d.table_name,
                     "freshness_sla_hours": d.freshness_sla_hours})
    return _table("datasets", rows)


def lineage_table(org: Org) -> pa.Table:
    edges: set[tuple[str, str, str, str]] = set()
    for d in DATASETS:
        edges.add(("source", d.source_system, "dataset", d.dataset_id))
    latest = {}
    for v in org.versions:
        latest[v["model_id"]] = v["version"]
    versions_by_model: dict[str, list[str]] = {}
    for v in org.versions:
        versions_by_model.setdefault(v["model_id"], []).append(v["version"])
    for spec in MODELS:
        for f in spec.features:
            fid = f"{spec.model_id}.{f.name}"
            edges.add(("dataset", f.dataset, "feature", fid))
            for version in versions_by_model.get(spec.model_id, []):
                edges.add(("feature", fid, "model_version", f"{spec.model_id}@{version}"))
    for dep in org.deployments:
        edges.add(("model_version", f"{dep['model_id']}@{dep['version']}", "deployment", dep["deployment_id"]))
        if dep["environment"] == "production" and dep["status"] == "success":
            spec = MODELS[[m.model_id for m in MODELS].index(dep["model_id"])]
            edges.add(("deployment", dep["deployment_id"], "kpi", f"kpi:{spec.benefit}"))
    rows = [dict(zip(("src_kind", "src_id", "dst_kind", "dst_id"), e, strict=True)) for e in sorted(edges)]
    return _table("lineage", rows)


def batches_table(story: Story, seed: int) -> pa.Table:
    """One load per dataset and day (02:00-04:00 UTC); crm_accounts breaks as the story says."""
    rng = np.random.default_rng([seed, 9])
    n = story.n_days
    trend = np.linspace(0.85, 1.15, n)
    weekday = np.array([story.date_of(i).weekday() for i in range(n)])
    cols = {k: [] for k in ("dataset_id", "batch_at", "n_rows", "n_null_key", "newest_event_at")}
    for d in DATASETS:
        days = np.arange(n)
        if d.dataset_id == "crm_accounts":
            days = days[days < story.day(story.crm_stop_from)]
        k = len(days)
        batch = story.start_us + days * US_PER_DAY + 2 * US_PER_HOUR + (rng.random(k) * 2 * US_PER_HOUR).astype(np.int64)
        rows = np.round(d.daily_rows * trend[days] * np.where(weekday[days] >= 5, 0.7, 1.0)
                        * rng.normal(1, 0.05, k)).astype(np.int64)
        nulls = rng.binomial(rows, 0.002)
        if d.dataset_id == "crm_accounts":
            bad = days >= story.day(story.crm_null_from)
            nulls[bad] = rng.binomial(rows[bad], 0.3)
        lag = (rng.uniform(0.5, 0.8, k) * min(d.freshness_sla_hours, 24) * US_PER_HOUR).astype(np.int64)
        cols["dataset_id"] += [d.dataset_id] * k
        cols["batch_at"].append(batch)
        cols["n_rows"].append(rows)
        cols["n_null_key"].append(nulls)
        cols["newest_event_at"].append(batch - lag)
    keep = [c for c in cols if c != "dataset_id"]
    out = {"dataset_id": pa.array(cols["dataset_id"])}
    for c in keep:
        out[c] = pa.array(np.concatenate(cols[c]))
    spec = TABLES["dataset_batches"].schema
    return pa.table({f.name: out[f.name].cast(f.type) for f in spec}, schema=spec)


__all__ = ["BUSINESS_UNITS"]
