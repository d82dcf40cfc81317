"""`scaleboard import mlflow` against a real MLflow store: two sklearn models registered with
versions, aliases, tags and run metrics round-trip exactly into the lakehouse, a second import
writes nothing, a moved alias is one new event, and unreachable or foreign stores are refused
with a clear message."""

from __future__ import annotations

import json
import sqlite3
import warnings

import numpy as np
import pytest

from analytics.cli import main
from analytics.errors import InputError
from analytics.governance import mlflow_import, registry
from analytics.product.scope import everything

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    mlflow = pytest.importorskip("mlflow")
    from mlflow import MlflowClient
    from sklearn.linear_model import LogisticRegression

    warnings.filterwarnings("ignore")
    folder = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    rng = np.random.default_rng(1)
    X = rng.random((200, 3))
    y = (X[:, 0] + 0.2 * rng.random(200) > 0.6).astype(int)
    metrics = {}
    for name, n_versions in (("churn_model", 2), ("fraud_model", 1)):
        for v in range(n_versions):
            with mlflow.start_run() as run:
                model = LogisticRegression(C=1.0 + v).fit(X, y)
                mlflow.log_metric("auc", 0.8 + v / 100)
                mlflow.sklearn.log_model(model, name="model", registered_model_name=name,
                                         pip_requirements=["scikit-learn"])
            metrics[(name, str(v + 1))] = ({"auc": 0.8 + v / 100}, run.info.run_id)
    client = MlflowClient(uri, registry_uri=uri)
    client.set_registered_model_alias("churn_model", "champion", "1")
    client.set_registered_model_alias("churn_model", "challenger", "2")
    client.set_registered_model_tag("churn_model", "business_unit", "Retail")
    client.set_registered_model_tag("churn_model", "risk_tier", "high")
    client.set_registered_model_tag("churn_model", "team", "growth")
    client.set_model_version_tag("fraud_model", "1", "validated", "yes")
    return uri, client, metrics


def test_import_round_trips_and_is_idempotent(store, lake):
    uri, _client, metrics = store
    report = mlflow_import.import_registry(lake.root, uri, actor="tester")
    assert (report.models, report.versions) == (2, 3)
    con = lake.con()
    models = registry.models(con, everything()).sort("model_id")
    assert models["model_id"].to_list() == ["churn_model", "fraud_model"]
    churn = models.row(0, named=True)
    assert (churn["business_unit"], churn["risk_tier"], churn["stage"], churn["n_versions"]) == ("Retail", "high", "production", 2)
    assert churn["aliases"] == "challenger: 2, champion: 1"
    assert models.row(1, named=True)["stage"] == "pilot"  # no production alias
    for model_id in ("churn_model", "fraud_model"):
        for row in registry.versions(con, everything(), model_id=model_id).iter_rows(named=True):
            want_metrics, run_id = metrics[(model_id, row["version"])]
            assert json.loads(row["metrics_json"]) == pytest.approx(want_metrics)
            assert row["run_id"] == run_id and row["registry_source"] == f"mlflow:{uri}"
            assert row["artifact_uri"]
    tags = con.sql("select model_id, version, name, value from registry_events where kind = 'tag' "
                   "order by model_id, name").fetchall()
    assert tags == [("churn_model", None, "team", "growth"), ("fraud_model", "1", "validated", "yes")]
    again = mlflow_import.import_registry(lake.root, uri, actor="tester")
    assert (again.models, again.versions, again.events) == (0, 0, 0)


def test_a_moved_alias_is_one_new_event(store, lake):
    uri, client, _ = store
    mlflow_import.import_registry(lake.root, uri, actor="tester")
    client.set_registered_model_alias("churn_model", "champion", "2")
    client.delete_registered_model_alias("churn_model", "challenger")
    try:
        report = mlflow_import.import_registry(lake.root, uri, actor="tester")
        assert (report.models, report.versions, report.events) == (0, 0, 2)
        assert registry.models(lake.con(), everything(), search="churn")["aliases"].to_list() == ["champion: 2"]
    finally:
        client.set_registered_model_alias("churn_model", "champion", "1")
        client.set_registered_model_alias("churn_model", "challenger", "2")


def test_cli_imports_and_says_when_nothing_changed(store, lake, capsys):
    uri, _, _ = store
    assert main(["import", "mlflow", "--tracking-uri", uri, "--lakehouse", str(lake.root), "--by", "ci"]) == 0
    assert "versions added: 3" in capsys.readouterr().out
    assert main(["import", "mlflow", "--tracking-uri", uri, "--lakehouse", str(lake.root), "--by", "ci"]) == 0
    assert "nothing changed" in capsys.readouterr().out
    audit = lake.con().sql("select action, actor from audit_log").fetchall()
    assert audit == [("registry.import", "ci")]  # the no-op run is not audited


def test_unreachable_and_foreign_stores_are_refused(tmp_path, lake):
    pytest.importorskip("mlflow")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(InputError, match="Could not read the MLflow registry"):
        mlflow_import.import_registry(lake.root, f"http://127.0.0.1:{port}", actor="t")
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as db:
        db.execute("create table invoices (id integer)")
    with pytest.raises(InputError, match="not an MLflow registry"):
        mlflow_import.import_registry(lake.root, f"sqlite:///{foreign}", actor="t")
    with sqlite3.connect(foreign) as db:  # and it was not touched
        assert [r[0] for r in db.execute("select name from sqlite_master")] == ["invoices"]
    with pytest.raises(InputError, match="No MLflow database"):
        mlflow_import.import_registry(lake.root, f"sqlite:///{tmp_path / 'missing.db'}", actor="t")
    assert not lake.con().sql("select * from models").fetchall()
