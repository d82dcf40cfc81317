"""Starting contracts profiled from the data (`scaleboard contracts init`) and `scaleboard check` with
no contract written. Expected thresholds are worked by hand from the rows put in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import yaml

from analytics.cli import main as cli
from analytics.quality import contracts


def _put(lake, days: list[int], n_per_day: int = 6):
    lake.put("models", [{"model_id": "m1", "name": "M", "business_unit": "BU", "stage": "pilot",
                         "task": "classification"}])
    rows = []
    for d in days:
        for i in range(n_per_day):
            rows.append({"prediction_at": datetime(2026, 1, d, 8 + i, tzinfo=UTC), "model_id": "m1",
                         "request_id": f"r{d}-{i}", "team": ["a", "b"][i % 2],
                         "score": None if i == 0 else i / 10, "latency_ms": float(10 * i)})
    lake.put("predictions", rows)


def _checks(lake, dataset: str) -> dict:
    doc = yaml.safe_load((contracts.contracts_dir(lake.root) / f"{dataset}.yaml").read_text())
    return {c["id"]: c for c in doc["checks"]}


def test_daily_feed_gets_volume_and_a_day_and_a_half_freshness(lake, capsys):
    _put(lake, [*range(1, 10), 11])  # gaps 1 (x8) and 2 days: median 1 -> daily; 10 days of history
    assert cli(["contracts", "init", "--lakehouse", str(lake.root), "--table", "predictions"]) == 0
    assert "wrote _config/contracts/predictions.yaml" in capsys.readouterr().out
    c = _checks(lake, "predictions")
    assert c["score_complete"]["warn"] == round(5 / 6 - 0.01, 4)  # 1 of 6 rows a day has no score
    assert c["score_complete"]["fail"] == round(5 / 6 - 0.05, 4)
    assert (c["latency_ms_valid"]["min"], c["latency_ms_valid"]["max"]) == (0.0, 50.0)
    assert c["team_valid"]["allowed"] == ["a", "b"]  # 60 rows, 2 values
    assert c["daily_volume"]["trailing_days"] == 9
    assert (c["fresh"]["warn"], c["fresh"]["fail"]) == (36.0, 72.0)
    assert c["score_complete"]["window_days"] == 2
    contracts.load_all(contracts.contracts_dir(lake.root))  # what was written loads


def test_weekly_feed_has_no_daily_volume_and_a_weekly_freshness(lake):
    _put(lake, [1, 8, 15, 22])  # every 7 days
    assert cli(["contracts", "init", "--lakehouse", str(lake.root), "--table", "predictions"]) == 0
    c = _checks(lake, "predictions")
    assert "daily_volume" not in c
    assert "this feed is not daily" in (contracts.contracts_dir(lake.root) / "predictions.yaml").read_text()
    assert (c["fresh"]["warn"], c["fresh"]["fail"]) == (1.5 * 7 * 24, 3 * 7 * 24)
    assert c["score_complete"]["window_days"] == 14


def test_catalogued_dataset_names_the_contract_and_edits_are_kept(lake, capsys):
    _put(lake, [1, 2])
    lake.put("datasets", [{"dataset_id": "scored_requests", "name": "Scored", "table_name": "predictions"}])
    args = ["contracts", "init", "--lakehouse", str(lake.root), "--table", "predictions"]
    assert cli(args) == 0
    path = contracts.contracts_dir(lake.root) / "scored_requests.yaml"
    path.write_text(path.read_text().replace("warn: 36.0", "warn: 40.0"))
    assert cli(args) == 0
    assert "kept" in capsys.readouterr().out and "warn: 40.0" in path.read_text()


def test_check_without_contracts_runs_the_profiled_defaults(lake, capsys):
    _put(lake, list(range(1, 10)))  # 9 daily days; models.created_at is empty: models is not profiled
    before = sorted(p.relative_to(lake.root) for p in lake.root.rglob("*"))
    as_of = (datetime(2026, 1, 9, 13, tzinfo=UTC) + timedelta(hours=1)).isoformat()
    code = cli(["check", "--lakehouse", str(lake.root), "--as-of", as_of])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "No contracts in" in out and "in memory (nothing written)" in out
    assert "ok   predictions/fresh" in out and "ok   predictions/daily_volume" in out and "models/" not in out
    assert "rows of predictions in the last day vs a trailing 8-day median of 6 (ratio 1.00" in out
    assert sorted(p.relative_to(lake.root) for p in lake.root.rglob("*")) == before
