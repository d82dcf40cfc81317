"""`scaleboard import mlflow`: an MLflow model registry into the lakehouse's registry tables.

Reads registered models (name, description, tags, aliases), their versions (run, artifact, status,
tags) and each version's run metrics from a tracking server (``http://…``) or a local store
(``sqlite:///…``, a file store folder), and writes:

* ``models``: a registered model not yet in the inventory (model id = MLflow name; business unit,
  owner, risk tier, stage and task from the model's tags ``business_unit``, ``owner``, ``risk_tier``,
  ``stage``, ``task``; ``stage`` defaults to ``production`` when an alias named champion/production
  exists, else ``pilot``; business unit to ``Unassigned``, task to ``classification``);
* ``model_versions``: a version not yet registered (registered_at = MLflow's creation time, run id,
  artifact location, ``registry_source`` = ``mlflow:<uri>``, the run's metrics as JSON);
* ``registry_events``: each alias, model tag and version tag whose value differs from the state in
  force (an alias that disappeared from MLflow is recorded as removed).

Idempotent: a second run with nothing changed in MLflow writes nothing. Existing rows are never
rewritten (registrations are immutable; state changes are new events). Raises ``InputError`` when
the store cannot be reached or is not an MLflow registry.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from analytics import sql
from analytics.errors import InputError
from analytics.lakehouse import connection, storage
from analytics.lakehouse.objectstore import local_only
from analytics.lakehouse.schema import RISK_TIERS, STAGES, TASKS, table

PRODUCTION_ALIASES = ("champion", "production", "prod")
INVENTORY_TAGS = ("business_unit", "owner", "risk_tier", "stage", "task")


@dataclass(frozen=True)
class ImportReport:
    models: int
    versions: int
    events: int
    skipped_versions: tuple[str, ...] = ()  # versions older than --since

    def lines(self) -> list[str]:
        out = [f"models added: {self.models}", f"versions added: {self.versions}",
               f"registry events (aliases, tags): {self.events}"]
        if not (self.models or self.versions or self.events):
            out.append("nothing changed since the last import")
        return out


def _client(tracking_uri: str):
    # fail in seconds, not after MLflow's default minutes of retries, when a server is unreachable
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
    try:
        import mlflow  # noqa: F401  (an optional dependency: only this command needs it)
        from mlflow import MlflowClient
    except ImportError as exc:
        raise InputError("MLflow is not installed.", hint="pip install mlflow") from exc
    return MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)


def read_registry(tracking_uri: str, *, since: datetime | None = None) -> list[dict]:
    """The registry as plain dicts: one per registered model with its versions (raises InputError)."""
    uri = tracking_uri.strip()
    if uri.startswith("sqlite:///"):
        _check_sqlite(Path(uri.removeprefix("sqlite:///")))
    elif not uri.startswith(("http://", "https://", "databricks")) and not Path(uri.removeprefix("file://")).is_dir():
        raise InputError(f"No MLflow store at {uri}.", hint="Give an http(s):// server, a sqlite:/// file or a folder.")
    client = _client(uri)
    try:
        found = []
        for rm in _all_pages(client.search_registered_models):
            model = {"name": rm.name, "description": rm.description, "tags": dict(rm.tags or {}),
                     "aliases": {a: str(v) for a, v in (rm.aliases or {}).items()}, "versions": []}
            for mv in _all_pages(client.search_model_versions, filter_string=f"name = '{_quote(rm.name)}'"):
                created = datetime.fromtimestamp(int(mv.creation_timestamp) / 1000, tz=UTC)
                if since and created < since:
                    continue
                metrics = {}
                if mv.run_id:
                    try:
                        metrics = dict(client.get_run(mv.run_id).data.metrics)
                    except Exception:  # a deleted run: the version stays, without metrics
                        metrics = {}
                model["versions"].append({
                    "version": str(mv.version), "created": created, "run_id": mv.run_id or None,
                    "source": mv.source, "status": mv.status, "tags": dict(mv.tags or {}),
                    "user": getattr(mv, "user_id", None) or None, "metrics": metrics,
                    "description": mv.description})
            found.append(model)
        return found
    except InputError:
        raise
    except Exception as exc:  # connection refused, not a registry, permission denied, …
        raise InputError(f"Could not read the MLflow registry at {uri}: {type(exc).__name__}: "
                         f"{str(exc).splitlines()[0][:300] if str(exc) else ''}",
                         hint="Is the tracking server running, and is this an MLflow store?") from exc


def _check_sqlite(path: Path) -> None:
    """Refuse a missing file or a database that is not an MLflow registry, before MLflow sees it
    (its SQL store would otherwise create its tables in any SQLite file it is given)."""
    import sqlite3

    if not path.is_file():
        raise InputError(f"No MLflow database at {path}.", hint="Check the --tracking-uri path.")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            names = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path} is not an SQLite database ({exc}).") from exc
    if not {"registered_models", "model_versions"} <= names:
        raise InputError(f"{path} is an SQLite database but not an MLflow registry (no registered_models table).")


def _all_pages(search, **kw):
    token = None
    while True:
        page = search(max_results=1000, page_token=token, **kw) if token else search(max_results=1000, **kw)
        yield from page
        token = getattr(page, "token", None)
        if not token:
            return


def _quote(name: str) -> str:
    return name.replace("'", "\\'")


def import_registry(root: Path | str, tracking_uri: str, *, actor: str,
                    since: datetime | None = None) -> ImportReport:
    """Read MLflow and write what the lakehouse does not have yet (see the module docstring)."""
    registry = read_registry(tracking_uri, since=since)
    source = f"mlflow:{tracking_uri}"
    root = local_only(root, "The MLflow import")
    con = connection.connect(root, tables=["models", "model_versions", "registry_events"])
    try:
        known_models = {r[0] for r in con.sql("select model_id from models").fetchall()}
        known_versions = {(r[0], r[1]) for r in con.sql("select model_id, version from model_versions").fetchall()}
        state = sql.run(con, "registry_state")
    finally:
        con.close()
    now = datetime.now(UTC)
    new_models, new_versions, events = [], [], []
    in_force = {(r["model_id"], r["kind"], r["name"], r["version"] if r["kind"] != "alias" else None):
                (r["version"], r["value"]) for r in state.iter_rows(named=True)}

    def event(model_id, version, kind, name, value):
        events.append({"event_id": uuid.uuid4().hex, "event_at": now, "model_id": model_id, "version": version,
                       "kind": kind, "name": name, "value": value, "actor": actor, "registry_source": source})

    for m in registry:
        mid, tags = m["name"], m["tags"]
        if mid not in known_models:
            new_models.append(_model_row(m, now))
        for v in m["versions"]:
            if (mid, v["version"]) not in known_versions:
                new_versions.append({
                    "model_id": mid, "version": v["version"], "registered_at": v["created"],
                    "registered_by": v["user"], "algorithm": v["tags"].get("algorithm"),
                    "run_id": v["run_id"], "artifact_uri": v["source"], "registry_source": source,
                    "metrics_json": json.dumps(v["metrics"], sort_keys=True) if v["metrics"] else None})
            for k, val in sorted(v["tags"].items()):
                if in_force.get((mid, "tag", k, v["version"])) != (v["version"], val):
                    event(mid, v["version"], "tag", k, val)
        for alias, version in sorted(m["aliases"].items()):
            if in_force.get((mid, "alias", alias, None)) != (version, None):
                event(mid, version, "alias", alias, None)
        for (model_id, kind, name, _), (version, _value) in in_force.items():
            if model_id == mid and kind == "alias" and version is not None and name not in m["aliases"]:
                event(mid, None, "alias", name, None)  # removed in MLflow
        for k, val in sorted(tags.items()):
            if k in INVENTORY_TAGS:
                continue
            if in_force.get((mid, "tag", k, None)) != (None, val):
                event(mid, None, "tag", k, val)
    # one write per table; each is atomic on its own, and a re-run completes a partial import
    for name, rows in (("models", new_models), ("model_versions", new_versions), ("registry_events", events)):
        if rows:
            storage.append(root, name, pa.Table.from_pylist(rows, schema=table(name).schema))
    return ImportReport(len(new_models), len(new_versions), len(events))


def _model_row(m: dict, now: datetime) -> dict:
    tags = m["tags"]
    default_stage = "production" if set(m["aliases"]) & set(PRODUCTION_ALIASES) else "pilot"
    stage = (tags.get("stage") or default_stage).lower()
    risk = (tags.get("risk_tier") or "").lower() or None
    task = (tags.get("task") or "classification").lower()
    for field, value, allowed in (("stage", stage, STAGES), ("risk_tier", risk, RISK_TIERS), ("task", task, TASKS)):
        if value is not None and value not in allowed:
            raise InputError(f"MLflow model '{m['name']}': tag {field}={value!r} is not one of {', '.join(allowed)}.")
    return {"model_id": m["name"], "name": m["name"], "description": m["description"],
            "business_unit": tags.get("business_unit") or "Unassigned", "owner": tags.get("owner"),
            "risk_tier": risk, "stage": stage, "task": task, "created_at": now}
