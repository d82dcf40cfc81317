"""The lakehouse contract: one pyarrow schema per table.

Each table is the folder ``<root>/<table>/`` of Parquet files (optionally Hive-partitioned,
e.g. ``predictions/month=2025-03/part-….parquet``). Readers see one DuckDB view per table whose
columns are exactly the schema below, whatever the files hold (columns are matched by name, missing
ones read as null, extra ones are ignored), so the schema is the single source of truth for
every query, the demo generator, ingestion and the tests.

Timestamps are UTC (``timestamp[us, tz=UTC]``); money is in US dollars (``*_usd``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class Table:
    """One lakehouse table: its name, schema, grain and the key that makes a row unique."""

    name: str
    schema: pa.Schema
    grain: str
    key: tuple[str, ...] = ()
    partition_by: str | None = None  # Hive partition column derived on write (e.g. "month")
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    required: tuple[str, ...] = ()  # columns that may not be null


def _s(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(n, t) for n, t in fields])


STAGES = ("pilot", "production", "retired")
RISK_TIERS = ("low", "medium", "high")
TASKS = ("classification", "regression")
ATTRIBUTIONS = ("measured", "estimated", "self_reported")
BENEFIT_CATEGORIES = ("incremental_revenue", "cost_savings")
COST_CATEGORIES = ("infrastructure", "people", "licences")
LEDGER_CATEGORIES = BENEFIT_CATEGORIES + COST_CATEGORIES
ALERT_KINDS = ("drift", "performance", "quality", "freshness")
SEVERITIES = ("warning", "critical")
CHECKLIST_STATUSES = ("not_started", "in_progress", "done", "blocked")
QUALITY_STATUSES = ("pass", "warn", "fail", "error")
USAGE_EVENT_TYPES = ("invoke", "view", "accept", "override")
LINEAGE_KINDS = ("source", "dataset", "feature", "model_version", "deployment", "kpi")

TABLES: dict[str, Table] = {}


def _add(t: Table) -> Table:
    TABLES[t.name] = t
    return t


MODELS = _add(Table(
    "models",
    _s(("model_id", pa.string()), ("name", pa.string()), ("description", pa.string()),
       ("business_unit", pa.string()), ("owner", pa.string()), ("risk_tier", pa.string()),
       ("stage", pa.string()), ("task", pa.string()), ("created_at", TS),
       ("sensitive_attribute", pa.string()), ("alert_route", pa.string())),
    grain="one row per model (the inventory)",
    key=("model_id",),
    enums={"stage": STAGES, "risk_tier": RISK_TIERS, "task": TASKS},
    required=("model_id", "name", "business_unit", "stage", "task"),
))

MODEL_VERSIONS = _add(Table(
    "model_versions",
    _s(("model_id", pa.string()), ("version", pa.string()), ("registered_at", TS),
       ("registered_by", pa.string()), ("algorithm", pa.string()),
       ("train_start_at", TS), ("train_end_at", TS),
       ("run_id", pa.string()), ("artifact_uri", pa.string()), ("registry_source", pa.string()),
       ("metrics_json", pa.string()), ("validation_start_at", TS), ("validation_end_at", TS)),
    grain="one row per registered model version; the training window is the drift reference; where "
          "it came from (registry_source, e.g. mlflow:<uri>; its run and artifact; the run's metrics as JSON); "
          "the optional validation window (held-out weeks) makes the performance band, else the weeks after "
          "training do",
    key=("model_id", "version"),
    required=("model_id", "version", "registered_at"),
))

REGISTRY_KINDS = ("alias", "approval", "tag")

REGISTRY_EVENTS = _add(Table(
    "registry_events",
    _s(("event_id", pa.string()), ("event_at", TS), ("model_id", pa.string()), ("version", pa.string()),
       ("kind", pa.string()), ("name", pa.string()), ("value", pa.string()), ("actor", pa.string()),
       ("registry_source", pa.string())),
    grain="one row per change of a model's registry state: an alias pointing at a version (version "
          "null: alias removed), an approval decision on a version (value approved or rejected), a tag "
          "(version null: a model tag); the newest event per model, kind, name (and version for "
          "approvals and version tags) is in force",
    key=("event_id",),
    enums={"kind": REGISTRY_KINDS},
    required=("event_id", "event_at", "model_id", "kind", "name"),
))

DEPLOYMENTS = _add(Table(
    "deployments",
    _s(("deployment_id", pa.string()), ("model_id", pa.string()), ("version", pa.string()),
       ("environment", pa.string()), ("deployed_at", TS), ("deployed_by", pa.string()),
       ("status", pa.string())),
    grain="one row per deployment of a model version to an environment",
    key=("deployment_id",),
    enums={"environment": ("staging", "production"), "status": ("success", "failed", "rolled_back")},
    required=("deployment_id", "model_id", "version", "deployed_at"),
))

PREDICTIONS = _add(Table(
    "predictions",
    _s(("prediction_at", TS), ("model_id", pa.string()), ("version", pa.string()),
       ("request_id", pa.string()), ("user_id", pa.string()), ("team", pa.string()),
       ("country", pa.string()), ("score", pa.float64()), ("prediction", pa.float64()),
       ("latency_ms", pa.float64())),
    grain="one row per scored request (score: probability for classifiers, value for regressors)",
    key=("request_id",),
    partition_by="month",
    required=("prediction_at", "model_id", "request_id"),
))

OUTCOMES = _add(Table(
    "outcomes",
    _s(("request_id", pa.string()), ("model_id", pa.string()), ("observed_at", TS),
       ("label", pa.float64())),
    grain="one row per request whose ground truth arrived (delayed)",
    key=("request_id",),
    partition_by="month",
    required=("request_id", "model_id", "observed_at"),
))

FEATURES = _add(Table(
    "features",
    _s(("feature_at", TS), ("model_id", pa.string()), ("version", pa.string()),
       ("request_id", pa.string()), ("feature", pa.string()), ("value_num", pa.float64()),
       ("value_cat", pa.string())),
    grain="one row per request and input feature (long format: numeric or categorical value)",
    key=("request_id", "feature"),
    partition_by="month",
    required=("feature_at", "model_id", "feature"),
))

ELIGIBLE_USERS = _add(Table(
    "eligible_users",
    _s(("model_id", pa.string()), ("user_id", pa.string()), ("team", pa.string()),
       ("country", pa.string()), ("business_unit", pa.string()), ("eligible_from", pa.date32())),
    grain="one row per model and user who could use it",
    key=("model_id", "user_id"),
    required=("model_id", "user_id"),
))

USAGE_EVENTS = _add(Table(
    "usage_events",
    _s(("event_at", TS), ("model_id", pa.string()), ("user_id", pa.string()), ("team", pa.string()),
       ("country", pa.string()), ("event_type", pa.string())),
    grain="one row per human interaction with a model's output",
    partition_by="month",
    enums={"event_type": USAGE_EVENT_TYPES},
    required=("event_at", "model_id", "user_id"),
))

FEEDBACK = _add(Table(
    "feedback",
    _s(("submitted_at", TS), ("model_id", pa.string()), ("user_id", pa.string()),
       ("rating", pa.int32()), ("comment", pa.string())),
    grain="one row per expert rating (1-5) of a model's usefulness",
    required=("submitted_at", "model_id", "rating"),
))

VALUE_LEDGER = _add(Table(
    "value_ledger",
    _s(("month", pa.date32()), ("model_id", pa.string()), ("category", pa.string()),
       ("amount_usd", pa.float64()), ("attribution", pa.string()), ("ci_low_usd", pa.float64()),
       ("ci_high_usd", pa.float64()), ("entered_by", pa.string()), ("entered_at", TS),
       ("note", pa.string()), ("line_item", pa.string())),
    grain=("one row per entry; append-only: the current figure for (month, model_id, category, "
           "line_item) is the latest entered_at, older rows are the history. line_item is null for a "
           "model's main line and names a separate line otherwise (e.g. 'experiment:<id>', the measured "
           "lift of one model change, which adds to the main line instead of replacing it)"),
    enums={"category": LEDGER_CATEGORIES, "attribution": ATTRIBUTIONS},
    required=("month", "model_id", "category", "amount_usd", "attribution", "entered_at"),
))

EXPERIMENT_DEFS = _add(Table(
    "experiment_defs",
    _s(("experiment_id", pa.string()), ("model_id", pa.string()), ("name", pa.string()),
       ("hypothesis", pa.string()), ("control", pa.string()), ("primary_metric", pa.string()),
       ("started_at", TS), ("ended_at", TS), ("status", pa.string()), ("planned_allocation", pa.string())),
    grain="one row per A/B test of a model change; planned_allocation is the planned split as "
          "'variant=weight' pairs, e.g. 'control=80,treatment=20' (empty: equal split), tested by SRM",
    key=("experiment_id",),
    enums={"status": ("running", "concluded", "stopped")},
    required=("experiment_id", "model_id", "control"),
))

EXPERIMENTS = _add(Table(
    "experiments",
    _s(("experiment_id", pa.string()), ("unit_id", pa.string()), ("variant", pa.string()),
       ("assigned_at", TS), ("metric", pa.string()), ("metric_kind", pa.string()),
       ("value", pa.float64()), ("pre_value", pa.float64())),
    grain="one row per experiment, unit and metric (assignment plus the metric value; pre_value is the "
          "pre-period covariate for CUPED when known)",
    key=("experiment_id", "unit_id", "metric"),
    enums={"metric_kind": ("mean", "proportion")},
    required=("experiment_id", "unit_id", "variant", "metric", "value"),
))

DATASETS = _add(Table(
    "datasets",
    _s(("dataset_id", pa.string()), ("name", pa.string()), ("domain", pa.string()),
       ("description", pa.string()), ("owner", pa.string()), ("steward", pa.string()),
       ("source_system", pa.string()), ("is_pii", pa.bool_()), ("regulations", pa.list_(pa.string())),
       ("retention_days", pa.int32()), ("table_name", pa.string()), ("freshness_sla_hours", pa.float64())),
    grain="one row per catalogued dataset",
    key=("dataset_id",),
    required=("dataset_id", "name"),
))

LINEAGE = _add(Table(
    "lineage",
    _s(("src_kind", pa.string()), ("src_id", pa.string()), ("dst_kind", pa.string()),
       ("dst_id", pa.string())),
    grain="one row per directed edge source -> dataset -> feature -> model_version -> deployment -> kpi",
    key=("src_kind", "src_id", "dst_kind", "dst_id"),
    enums={"src_kind": LINEAGE_KINDS, "dst_kind": LINEAGE_KINDS},
    required=("src_kind", "src_id", "dst_kind", "dst_id"),
))

DATASET_BATCHES = _add(Table(
    "dataset_batches",
    _s(("dataset_id", pa.string()), ("batch_at", TS), ("n_rows", pa.int64()),
       ("n_null_key", pa.int64()), ("newest_event_at", TS)),
    grain="one row per load of an upstream feed (volume, completeness and freshness evidence)",
    required=("dataset_id", "batch_at"),
))

QUALITY_RESULTS = _add(Table(
    "quality_results",
    _s(("run_id", pa.string()), ("checked_at", TS), ("dataset_id", pa.string()),
       ("check_id", pa.string()), ("check_kind", pa.string()), ("column", pa.string()),
       ("metric_value", pa.float64()), ("warn_threshold", pa.float64()),
       ("fail_threshold", pa.float64()), ("status", pa.string()), ("n_rows", pa.int64()),
       ("n_failed", pa.int64()), ("sample_json", pa.string()), ("message", pa.string())),
    grain="one row per check evaluation",
    enums={"status": QUALITY_STATUSES,
           "check_kind": ("completeness", "validity", "volume", "timeliness")},
    required=("run_id", "checked_at", "dataset_id", "check_id", "status"),
))

CHECKLIST_EVENTS = _add(Table(
    "checklist_events",
    _s(("event_id", pa.string()), ("event_at", TS), ("actor", pa.string()), ("item_id", pa.string()),
       ("title", pa.string()), ("status", pa.string()), ("owner", pa.string()),
       ("due_date", pa.date32()), ("evidence_url", pa.string()), ("note", pa.string()),
       ("retired", pa.bool_()), ("cleared", pa.list_(pa.string()))),
    grain="one row per change to a readiness item; the latest event per item is its state (a field "
          "named in `cleared`, e.g. due_date, is set back to empty)",
    key=("event_id",),
    enums={"status": CHECKLIST_STATUSES},
    required=("event_id", "event_at", "actor", "item_id"),
))

FEATURE_IMPORTANCE = _add(Table(
    "feature_importance",
    _s(("computed_at", TS), ("model_id", pa.string()), ("version", pa.string()), ("feature", pa.string()),
       ("importance", pa.float64()), ("method", pa.string()), ("n_rows", pa.int64()),
       ("surrogate_r2", pa.float64())),
    grain="one row per model version, feature and computation: how much the model's output depends on "
          "the feature (method mean_abs_shap: mean |SHAP value| of the registered model artifact; "
          "permutation_surrogate: drop in R2 of a surrogate that reproduces the logged scores when the "
          "feature is shuffled; surrogate_r2: how well the surrogate reproduces the scores on held-out "
          "rows); the newest computation per version is in force",
    key=("model_id", "version", "feature", "computed_at"),
    enums={"method": ("mean_abs_shap", "permutation_surrogate")},
    required=("computed_at", "model_id", "version", "feature", "importance", "method"),
))

PARTIAL_DEPENDENCE = _add(Table(
    "partial_dependence",
    _s(("computed_at", TS), ("model_id", pa.string()), ("version", pa.string()), ("feature", pa.string()),
       ("rank", pa.int32()), ("grid_value", pa.float64()), ("average", pa.float64()), ("method", pa.string()),
       ("n_rows", pa.int64()), ("surrogate_r2", pa.float64()), ("ref_low", pa.float64()),
       ("ref_high", pa.float64())),
    grain="one row per model version, feature, grid point and computation: the model's average output with "
          "the feature set to grid_value (partial dependence) for its top numeric features by importance "
          "(rank 1 = most important); method model_artifact: the registered model itself, surrogate: the "
          "surrogate that reproduces the logged scores (surrogate_r2 says how faithfully); ref_low..ref_high: "
          "the 2nd to 98th percentile of the feature in the reference window; the newest computation per "
          "version is in force",
    key=("model_id", "version", "feature", "grid_value", "computed_at"),
    enums={"method": ("model_artifact", "surrogate")},
    required=("computed_at", "model_id", "version", "feature", "grid_value", "average", "method"),
))

ALERTS = _add(Table(
    "alerts",
    _s(("alert_id", pa.string()), ("created_at", TS), ("model_id", pa.string()), ("kind", pa.string()),
       ("severity", pa.string()), ("metric", pa.string()), ("subject", pa.string()),
       ("value", pa.float64()), ("threshold", pa.float64()), ("window_start_at", TS),
       ("window_end_at", TS), ("message", pa.string()), ("value_at_risk_usd", pa.float64()),
       ("resolved_at", TS), ("updated_at", TS)),
    grain="one row per change to an alert (alert_id is deterministic for model, kind, subject, window): "
          "raised, re-evaluated with a new value or severity (updated_at), resolved (resolved_at); "
          "created_at is the first detection on every row",
    key=("alert_id", "updated_at", "resolved_at"),
    enums={"kind": ALERT_KINDS, "severity": SEVERITIES},
    required=("alert_id", "created_at", "model_id", "kind", "severity"),
))

ALERT_ACTIONS = _add(Table(
    "alert_actions",
    _s(("action_id", pa.string()), ("alert_id", pa.string()), ("acted_at", TS), ("actor", pa.string()),
       ("action", pa.string()), ("snoozed_until", TS), ("reason", pa.string())),
    grain="one row per acknowledgement or snooze of an alert, made from the app or the CLI",
    key=("action_id",),
    enums={"action": ("acknowledge", "snooze")},
    required=("action_id", "alert_id", "acted_at", "actor", "action"),
))

ALERT_DELIVERIES = _add(Table(
    "alert_deliveries",
    _s(("delivery_id", pa.string()), ("attempted_at", TS), ("event_key", pa.string()),
       ("subject_id", pa.string()), ("event", pa.string()), ("channel", pa.string()),
       ("channel_kind", pa.string()), ("status", pa.string()), ("attempts", pa.int64()),
       ("http_status", pa.int64()), ("error", pa.string()), ("idempotency_key", pa.string()),
       ("summary", pa.string())),
    grain="one row per notification event, channel and delivery run (sent, failed or suppressed); an "
          "event without a 'sent' or 'suppressed' row for a channel is retried on the next run",
    key=("delivery_id",),
    enums={"status": ("sent", "failed", "suppressed"),
           "event": ("open", "escalate", "acknowledge", "resolve", "task_open", "task_close", "test")},
    required=("delivery_id", "attempted_at", "event_key", "channel", "status"),
))

# Tables owned by later capabilities; declared here so the contract stays in one place.
STEWARDSHIP_TASKS = _add(Table(
    "stewardship_tasks",
    _s(("event_id", pa.string()), ("task_id", pa.string()), ("event_at", TS), ("actor", pa.string()),
       ("dataset_id", pa.string()), ("check_id", pa.string()), ("assignee", pa.string()),
       ("status", pa.string()), ("reason", pa.string())),
    grain="one row per change to a stewardship task (event-sourced; the latest event is the state)",
    key=("event_id",),
    enums={"status": ("open", "acknowledged", "resolved")},
    required=("event_id", "task_id", "event_at", "dataset_id", "status"),
))

REGULATION_EVENTS = _add(Table(
    "regulation_events",
    _s(("event_id", pa.string()), ("event_at", TS), ("actor", pa.string()), ("asset_kind", pa.string()),
       ("asset_id", pa.string()), ("regulation", pa.string()), ("obligation", pa.string()),
       ("status", pa.string()), ("owner", pa.string()), ("evidence_url", pa.string()),
       ("reviewed_on", pa.date32()), ("next_review_on", pa.date32()), ("note", pa.string())),
    grain="one row per change to a regulation-tracker cell (asset x obligation)",
    key=("event_id",),
    required=("event_id", "event_at", "asset_id", "regulation", "obligation"),
))

FAIRNESS_AUDITS = _add(Table(
    "fairness_audits",
    _s(("audit_id", pa.string()), ("audited_at", TS), ("model_id", pa.string()),
       ("sensitive_attribute", pa.string()), ("group_value", pa.string()), ("n", pa.int64()),
       ("selection_rate", pa.float64()), ("recall", pa.float64()), ("fpr", pa.float64()),
       ("disparate_impact", pa.float64()), ("window_start_at", TS), ("window_end_at", TS),
       ("signed_off_by", pa.string()), ("signed_off_at", TS), ("reaudit_on", pa.date32()),
       ("sign_off_reason", pa.string()), ("selection_low", pa.float64()), ("selection_high", pa.float64())),
    grain="one row per audit and group of the sensitive attribute (selection_low/high: the Wilson 95% "
          "interval of the selection rate, the only figure kept for a group below the minimum size); a "
          "sign-off row of an audit outside the band carries the signer's reason",
    required=("audit_id", "audited_at", "model_id"),
))

AUDIT_LOG = _add(Table(
    "audit_log",
    _s(("event_id", pa.string()), ("event_at", TS), ("actor", pa.string()), ("role", pa.string()),
       ("action", pa.string()), ("target", pa.string()), ("page", pa.string()), ("detail", pa.string())),
    grain="one row per write made through the app or the CLI",
    key=("event_id",),
    required=("event_id", "event_at", "actor", "action"),
))


def table(name: str) -> Table:
    """The declared table called ``name``; raises ``UnknownTableError`` for anything else."""
    from analytics.errors import UnknownTableError

    try:
        return TABLES[name]
    except KeyError:
        raise UnknownTableError(name, sorted(TABLES)) from None
