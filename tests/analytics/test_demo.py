"""The demo generator: contract conformance, determinism, the story, refusal, extras and the CLI.

Tables are read with plain DuckDB views over the files (``lakehouse.register_table``), so these tests
do not depend on rollups or other capabilities. Oracles: Python string formatting, scikit-learn
(AUC), scipy (chi-square, t-test) and hand-worked examples.
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from analytics import demo
from analytics.demo import traffic, training
from analytics.demo.story import make_story
from analytics.errors import InputError
from analytics.lakehouse import storage, views
from analytics.lakehouse.schema import TABLES

pytestmark = pytest.mark.slow  # each test generates a demo lakehouse (make test-fast skips them)

END = date(2026, 10, 31)
STORY = make_story(END)
OWNED = [t for t in TABLES if t not in demo.PRODUCED_ELSEWHERE]


def open_lake(root: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.sql("set TimeZone = 'UTC'")
    for name in TABLES:
        assert views.register_table(con, root, name) == []
    return con


def one(con, query: str, **params):
    return con.sql(query, params=params).fetchall()[0][0]


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("demo_small")
    out = {}
    for key, seed in (("a", 7), ("b", 7), ("c", 8)):
        demo.generate(base / key, seed=seed, predictions=20_000, end=END, extras=False)
        out[key] = base / key
    return out


@pytest.fixture(scope="module")
def story_lake(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    root = tmp_path_factory.mktemp("demo_story") / "lake"
    demo.generate(root, seed=7, predictions=300_000, end=END, extras=False)
    return open_lake(root)


# ------------------------------------------------------------------ building blocks

def test_request_ids_match_python_formatting():
    ids = traffic.request_ids(123_456_789_998, 5).to_pylist()
    assert ids == [f"r{n:015d}" for n in range(123_456_789_998, 123_456_790_003)]


def test_allocate_is_exact_and_proportional():
    counts = traffic.allocate(10, np.array([[1.0, 1.0], [2.0, 0.0]]))
    # model-major cumulative shares 2.5, 7.5, 10, 10 -> rounded 3, 8, 10, 10 -> cells 3, 5, 2, 0
    assert counts.tolist() == [[3, 2], [5, 0]]
    # 1000 tiny cells worth 0.3 rows each still get their 300 rows (no starvation of small models)
    tiny = traffic.allocate(1_300, np.array([[1.0, 0.003]] * 1000) * [1, 100])
    assert tiny[:, 1].sum() == 300 and tiny.sum() == 1_300
    assert traffic.allocate(7, np.zeros((2, 2))).sum() == 0


def test_chunks_cover_counts_within_months_and_size():
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 50, (60, 4))
    month_of_day = np.arange(60) // 30
    seen = np.zeros_like(counts)
    for month, days, models, cnt in traffic.chunks(counts, month_of_day, 500):
        assert cnt.sum() <= 500 and (month_of_day[days] == month).all()
        np.add.at(seen, (days, models), cnt)
    assert (seen == counts).all()


def test_story_dates_follow_end():
    s = make_story(date(2026, 1, 15))
    assert (s.start, s.drift_start) == (date(2024, 2, 1), date(2025, 3, 3))
    assert s.crm_stop_from - s.crm_null_from == timedelta(days=32)
    assert len(make_story(END).months()) == 24


# ------------------------------------------------------------------ contract

def test_every_owned_table_has_rows_and_conforms(small):
    con = open_lake(small["a"])
    for name in OWNED:
        spec = TABLES[name]
        files = storage.data_files(small["a"] / name)
        assert files, f"{name} has no files"
        for f in files:
            assert pq.read_schema(f).remove_metadata().equals(spec.schema), f"{name}: {f.name}"
            if spec.partition_by == "month":
                assert f.parent.name.startswith("month=20")
        assert one(con, f"select count(*) from {name}") > 0, name
        for col in spec.required:
            assert one(con, f'select count(*) from {name} where "{col}" is null') == 0, (name, col)
        for col, allowed in spec.enums.items():
            bad = con.sql(f'select distinct "{col}" from {name} where "{col}" is not null '
                          f'and not list_contains($allowed, "{col}")', params={"allowed": list(allowed)}).fetchall()
            assert bad == [], (name, col, bad)
        if spec.key:
            keys = ", ".join(f'"{k}"' for k in spec.key)
            dupes = one(con, f"select count(*) from (select {keys} from {name} group by all having count(*) > 1)")
            assert dupes == 0, name
    for name in demo.PRODUCED_ELSEWHERE:
        assert not storage.data_files(small["a"] / name)


def test_every_model_has_traffic_even_in_a_small_demo(small):
    con = open_lake(small["a"])
    for t in ("predictions", "usage_events"):
        assert one(con, f"select count(distinct model_id) from {t}") == 25, t


def test_month_partitions_hold_their_own_month(small):
    con = open_lake(small["a"])
    for name, col in (("predictions", "prediction_at"), ("outcomes", "observed_at"), ("features", "feature_at"),
                      ("usage_events", "event_at")):
        rows = con.sql(f"select strftime({col}, '%Y-%m') as m, filename from read_parquet($g, filename = true)",
                       params={"g": str(small["a"] / name / "*" / "*.parquet")}).fetchall()
        assert all(f"month={m}" in fn for m, fn in rows)
    for f in storage.data_files(small["a"] / "predictions"):  # chronological inside each part
        ts = pq.read_table(f, columns=["prediction_at"]).column(0).to_numpy()
        assert (np.diff(ts.astype("int64")) >= 0).all()


def test_same_seed_same_contents_other_seed_differs(small):
    a, b, c = (open_lake(small[k]) for k in "abc")
    for name in OWNED:
        q = f"select * from {name} order by all"
        assert a.sql(q).fetchall() == b.sql(q).fetchall(), name
    q = "select * from predictions order by request_id"
    assert a.sql(q).fetchall() != c.sql(q).fetchall()


def test_sizes_are_honoured(tmp_path):
    s = demo.generate(tmp_path / "x", seed=1, predictions=12_345, usage_events=2_000, feature_rows=3_000,
                      end=END, extras=False)
    assert s.rows["predictions"] == 12_345 and s.rows["usage_events"] == 2_000
    served = one(open_lake(tmp_path / "x"), "select count(*) from features where request_id like 'r%'")
    assert abs(served - 3_000) < 600  # a Bernoulli sample of requests, all their features
    assert s.rows["features"] - served == one(open_lake(tmp_path / "x"),  # + the logged training sets
                                             "select count(*) from features where request_id like 't%'")


def test_every_version_logs_a_training_set_inside_its_window(small):
    con = open_lake(small["a"])
    per_version = con.sql("""
        select v.model_id, v.version, count(distinct f.request_id) as n,
               count(*) filter (where f.feature_at < v.train_start_at
                                or f.feature_at >= v.train_end_at + interval 1 day) as outside
        from model_versions v left join features f
          on f.model_id = v.model_id and f.version = v.version and f.request_id like 't%'
        group by all""").fetchall()
    assert len(per_version) == one(con, "select count(*) from model_versions")
    assert all(n == training.TRAINING_ROWS and outside == 0 for _, _, n, outside in per_version), per_version
    # so every version's drift reference (its training window) holds >= 1,000 requests
    reference = con.sql("""
        select v.model_id, v.version, count(distinct f.request_id) from model_versions v join features f
          on f.model_id = v.model_id and f.feature_at >= v.train_start_at
         and f.feature_at < v.train_end_at + interval 1 day group by all""").fetchall()
    assert len(reference) == len(per_version) and min(n for *_, n in reference) >= 1_000
    assert one(con, "select count(*) from predictions where request_id like 't%'") == 0  # never scored
    assert one(con, "select min(length(request_id)) = max(length(request_id)) from features")
    assert training.training_ids(41, 2).to_pylist() == ["t000000000000041", "t000000000000042"]


def test_conftest_sized_demo_is_fast(tmp_path):
    t0 = time.perf_counter()
    demo.generate(tmp_path / "x", seed=7, predictions=40_000, end=END, extras=False)
    assert time.perf_counter() - t0 < 10


# ------------------------------------------------------------------ the enterprise and its story

def test_portfolio_shape(story_lake):
    con = story_lake
    assert one(con, "select count(*) from models") == 25
    stages = dict(con.sql("select stage, count(*) from models group by 1").fetchall())
    assert stages == {"production": 15, "pilot": 7, "retired": 3}
    assert one(con, "select count(distinct business_unit) from models") == 5
    named = {r[0]: r[1:] for r in con.sql("select model_id, business_unit, task, stage from models").fetchall()}
    assert named["basket_recommender"] == ("Retail", "classification", "production")
    assert named["demand_forecast"] == ("Supply Chain", "regression", "production")
    assert named["credit_risk_scoring"] == ("Finance", "classification", "production")
    assert named["price_optimizer"][:2] == ("Retail", "regression")
    assert one(con, "select sensitive_attribute from models where model_id = 'credit_risk_scoring'") == "gender"
    assert 0 < one(con, "select count(*) from models where stage = 'production' and alert_route is null") < 15
    assert one(con, "select count(distinct country) from eligible_users") >= 20
    assert one(con, "select count(distinct team) from eligible_users") == 60
    assert one(con, "select count(distinct user_id) from eligible_users") >= 2500
    n_feat = con.sql("select model_id, count(distinct feature) n from features group by 1").fetchall()
    assert len(n_feat) >= 20 and all(4 <= n <= 8 for _, n in n_feat)
    assert one(con, "select count(*) from datasets") >= 15
    assert 0 < one(con, "select count(*) from datasets where steward is null or description is null") < 10


def test_classifier_scores_are_probabilities_and_labels_arrive_late(story_lake):
    con = story_lake
    assert one(con, """select count(*) from predictions join models using (model_id)
                       where task = 'classification' and (score < 0 or score > 1)""") == 0
    assert one(con, "select count(*) - count(distinct request_id) from predictions") == 0
    lag = con.sql("""select min(observed_at - prediction_at), max(observed_at - prediction_at), count(*)
                     from outcomes join predictions using (request_id)""").fetchall()[0]
    assert lag[0] >= timedelta(days=3) and lag[1] <= timedelta(days=30)
    assert lag[2] == one(con, "select count(*) from outcomes")
    assert one(con, "select max(observed_at) from outcomes").date() <= END


def test_usage_is_consistent_with_eligibility_and_predictions(story_lake):
    con = story_lake
    for t in ("usage_events", "predictions"):
        bad = one(con, f"""select count(*) from {t} as x left join eligible_users as e using (model_id, user_id)
                           where e.user_id is null or e.team <> x.team or e.country <> x.country""")
        assert bad == 0, t


def test_adoption_has_laggard_teams(story_lake):
    shares = [r[0] for r in story_lake.sql("""
        select count(distinct u.user_id) / count(distinct e.user_id)
        from eligible_users e left join usage_events u using (model_id, user_id)
        where e.business_unit = 'Retail' and e.model_id = 'basket_recommender'
        group by e.team having count(distinct e.user_id) >= 10""").fetchall()]
    assert min(shares) < 0.35 * max(shares)


def test_basket_size_drifts_from_3_march_to_the_end_and_auc_stays_low(story_lake):
    con = story_lake
    train = con.sql("""select arg_max(train_start_at, registered_at), arg_max(train_end_at, registered_at)
                       from model_versions where model_id = 'basket_recommender'""").fetchall()[0]
    assert train[1].date() < STORY.drift_start
    mean = """select avg(value_num) from features where model_id = 'basket_recommender'
              and feature = 'basket_size' and feature_at >= $a and feature_at < $b"""
    ref = one(con, mean, a=train[0], b=train[1])
    episode = one(con, mean, a=STORY.drift_start, b=date(STORY.drift_start.year, 5, 1))
    before = one(con, mean, a=STORY.drift_start - timedelta(days=30), b=STORY.drift_start)
    recent = one(con, mean, a=END - timedelta(days=29), b=END + timedelta(days=1))  # a regime change: it persists
    assert episode > 1.8 * ref and recent > 1.8 * ref and before < 1.2 * ref
    assert STORY.drift_end == END + timedelta(days=1)
    df = con.sql("""select (prediction_at >= $a and prediction_at < $b) as episode, score, label
                    from predictions join outcomes using (request_id)
                    where predictions.model_id = 'basket_recommender'""",
                 params={"a": STORY.drift_start, "b": STORY.drift_end}).pl()
    auc = {k: roc_auc_score(g["label"], g["score"]) for (k,), g in df.group_by("episode")}
    assert auc[False] > 0.78 and auc[True] < auc[False] - 0.1
    last = con.sql("""select score, label from predictions join outcomes using (request_id)
                      where predictions.model_id = 'basket_recommender' and prediction_at >= $a""",
                   params={"a": END - timedelta(weeks=6)}).pl()
    assert roc_auc_score(last["label"], last["score"]) < auc[False] - 0.1  # still low in the last weeks


def test_crm_accounts_incident_then_outage_then_churn_drift(story_lake):
    con = story_lake
    last = dict(con.sql("select dataset_id, max(batch_at) from dataset_batches group by 1").fetchall())
    assert last["crm_accounts"].date() == STORY.crm_stop_from - timedelta(days=1)
    assert all(ts.date() == END for d, ts in last.items() if d != "crm_accounts")
    null_share = """select avg((value_num is null)::int) from features where feature = 'account_tenure_months'
                    and model_id = 'churn_propensity' and feature_at >= $a and feature_at < $b"""
    assert one(con, null_share, a=STORY.start, b=STORY.crm_null_from) < 0.03
    assert 0.2 < one(con, null_share, a=STORY.crm_null_from, b=END) < 0.4
    batch_nulls = one(con, """select avg(n_null_key / n_rows) from dataset_batches
                              where dataset_id = 'crm_accounts' and batch_at >= $a""", a=STORY.crm_null_from)
    assert 0.2 < batch_nulls < 0.4
    spend = """select avg(value_num) from features where feature = 'monthly_spend'
               and model_id = 'churn_propensity' and feature_at >= $a and feature_at < $b"""
    assert one(con, spend, a=STORY.churn_drift_from, b=END) > 1.3 * one(
        con, spend, a=STORY.churn_drift_from - timedelta(days=120), b=STORY.churn_drift_from)
    df = con.sql("""select prediction_at >= $a as late, score, label from predictions join outcomes using (request_id)
                    where predictions.model_id = 'churn_propensity' and prediction_at >= $b""",
                 params={"a": STORY.churn_drift_from, "b": STORY.churn_drift_from - timedelta(days=180)}).pl()
    auc = {k: roc_auc_score(g["label"], g["score"]) for (k,), g in df.group_by("late")}
    assert auc[True] < auc[False] - 0.1


def test_roi_ramps_and_some_models_never_pay_off(story_lake):
    con = story_lake
    current = """with cur as (select * from value_ledger qualify row_number() over (
                     partition by month, model_id, category order by entered_at desc) = 1)
                 select model_id,
                        sum(amount_usd) filter (where category in ('incremental_revenue', 'cost_savings')) as b,
                        sum(amount_usd) filter (where category not in ('incremental_revenue', 'cost_savings')) as c
                 from cur group by 1"""
    rows = con.sql(current).fetchall()
    never = {m for m, b, c in rows if (b or 0) < c}
    designed = {"route_optimizer", "visual_search", "supplier_risk", "email_send_time"}
    assert designed <= never and len(never) <= 6
    monthly = con.sql(current.replace("select model_id,", "select model_id, month,").replace("group by 1", "group by 1, 2")
                      ).fetchall()
    assert all((b or 0) < c for m, _, b, c in monthly if m in designed)  # benefit < cost throughout
    benefit = sum(b or 0 for _, b, _ in rows)
    assert 2e6 < benefit / 2 < 2e7  # a few $M of benefit a year
    assert one(con, "select count(*) from value_ledger") > one(
        con, "select count(*) from (select distinct month, model_id, category from value_ledger)")
    assert one(con, "select max(entered_at) from value_ledger").date() <= END
    attributions = {r[0] for r in con.sql("select distinct attribution from value_ledger").fetchall()}
    assert attributions == {"measured", "estimated", "self_reported"}
    assert one(con, """select count(*) from value_ledger where attribution = 'measured'
                       and category in ('incremental_revenue', 'cost_savings') and ci_low_usd is null""") == 0
    ramp = con.sql("""select month, sum(amount_usd) from value_ledger where model_id = 'basket_recommender'
                      and category = 'incremental_revenue' group by 1 order by 1""").fetchall()
    assert ramp[-1][1] > ramp[0][1]


def test_experiments_tell_winners_srm_and_running(story_lake):
    con = story_lake
    defs = {r[0]: r[1] for r in con.sql("select experiment_id, status from experiment_defs").fetchall()}
    assert len(defs) == 6 and list(defs.values()).count("running") == 1
    counts = dict(con.sql("""select experiment_id, list(n order by variant) from (
        select experiment_id, variant, count(*) n from experiments where metric = 'conversion' group by 1, 2)
        group by 1""").fetchall())
    srm_p = {e: stats.chisquare(c).pvalue for e, c in counts.items()}
    assert srm_p["exp-price-elasticity"] < 1e-6
    assert all(p > 1e-3 for e, p in srm_p.items() if e != "exp-price-elasticity")
    for exp in ("exp-basket-ranking-v2", "exp-churn-offer-targeting"):
        rev = con.sql("""select variant, list(value) from experiments where experiment_id = $e
                         and metric = 'revenue_per_user' group by 1 order by 1""", params={"e": exp}).fetchall()
        assert stats.ttest_ind(rev[1][1], rev[0][1]).pvalue < 0.01
    assert one(con, "select corr(value, pre_value) from experiments where metric = 'revenue_per_user'") > 0.5
    assert {r[0] for r in con.sql("select distinct metric_kind from experiments").fetchall()} == {"mean", "proportion"}


def test_every_production_model_is_reachable_in_lineage(story_lake):
    con = story_lake
    edges = con.sql("select src_kind, src_id, dst_kind, dst_id from lineage").fetchall()
    nxt: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for sk, si, dk, di in edges:
        nxt.setdefault((sk, si), []).append((dk, di))
    seen = [n for n in nxt if n[0] == "source"]
    stack = list(seen)
    reached = set(seen)
    while stack:
        for n in nxt.get(stack.pop(), []):
            if n not in reached:
                reached.add(n)
                stack.append(n)
    for (model,) in con.sql("select model_id from models where stage = 'production'").fetchall():
        assert any(k == "model_version" and i.startswith(model + "@") for k, i in reached), model
    assert any(k == "kpi" for k, _ in reached)
    assert ("dataset", "crm_accounts") in nxt and ("feature", "churn_propensity.monthly_spend") in [
        n for n in nxt[("dataset", "crm_accounts")]]


def test_deployments_get_more_frequent(story_lake):
    halves = story_lake.sql("""select deployed_at >= $mid as late, count(*) from deployments
                               where deployed_at >= $start group by 1 order by 1""",
                            params={"mid": STORY.start + (END - STORY.start) / 2, "start": STORY.start}).fetchall()
    assert halves[1][1] > halves[0][1]
    statuses = {r[0] for r in story_lake.sql("select distinct status from deployments").fetchall()}
    assert statuses == {"success", "failed", "rolled_back"}


# ------------------------------------------------------------------ refusal, overwrite, extras, CLI

def test_refuses_non_empty_folder_and_writes_nothing(tmp_path):
    out = tmp_path / "lake"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty"):
        demo.generate(out, predictions=5_000, end=END, extras=False)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["lake"]  # no temporary build left behind
    with pytest.raises(InputError, match="predictions"):
        demo.generate(tmp_path / "other", predictions=10, end=END)
    assert not (tmp_path / "other").exists()


def test_overwrite_replaces_the_lakehouse(tmp_path):
    out = tmp_path / "lake"
    demo.generate(out, seed=1, predictions=5_000, end=END, extras=False)
    (out / "stale.txt").write_text("old")
    demo.generate(out, seed=2, predictions=6_000, end=END, extras=False, overwrite=True)
    assert not (out / "stale.txt").exists()
    assert one(open_lake(out), "select count(*) from predictions") == 6_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lake"]


def test_extras_run_in_name_order_and_failures_are_reported(tmp_path, monkeypatch):
    from analytics.demo import extras

    pkg = tmp_path / "extras_pkg"
    pkg.mkdir()
    (pkg / "zz_demo_test_b.py").write_text(
        "def extend(root, *, seed, end):\n    (root / '_config').mkdir(exist_ok=True)\n"
        "    (root / '_config' / 'order.txt').open('a').write(f'b {seed} {end}\\n')\n")
    (pkg / "zz_demo_test_a.py").write_text(
        "def extend(root, *, seed, end):\n    (root / '_config').mkdir(exist_ok=True)\n"
        "    (root / '_config' / 'order.txt').open('a').write('a\\n')\n")
    (pkg / "zz_demo_test_c.py").write_text("def extend(root, *, seed, end):\n    raise ValueError('boom')\n")
    (pkg / "zz_demo_test_d.py").write_text("X = 1\n")
    monkeypatch.setattr(extras, "__path__", [str(pkg)])
    try:
        with pytest.warns(RuntimeWarning, match="boom"):
            s = demo.generate(tmp_path / "lake", seed=3, predictions=5_000, end=END)
    finally:
        for k in [k for k in sys.modules if k.startswith("analytics.demo.extras.zz_demo_test")]:
            del sys.modules[k]
    assert s.extras == ("zz_demo_test_a", "zz_demo_test_b")
    assert s.extras_failed and "boom" in s.extras_failed[0]
    assert (tmp_path / "lake" / "_config" / "order.txt").read_text() == f"a\nb 3 {END}\n"


def test_cli_generates_refuses_and_refreshes(tmp_path, monkeypatch, capsys):
    from analytics import cli, pipeline

    out = tmp_path / "lake"
    calls = []
    monkeypatch.setattr(pipeline, "refresh", lambda root, **kw: calls.append(("refresh", root)) or pipeline.PipelineReport([], False))
    args = ["demo", "--out", str(out), "--seed", "5", "--predictions", "5000", "--end", "2026-10-31"]
    assert cli.main(args) == 0
    text = capsys.readouterr().out
    assert "predictions" in text and "5,000" in text and "rows/s" in text
    assert calls == [("refresh", out.resolve())]
    assert cli.main(args) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert cli.main([*args, "--overwrite", "--no-refresh"]) == 0
    assert len(calls) == 1


def test_cli_defaults_to_the_settings_lakehouse(tmp_path, monkeypatch):
    from analytics import cli

    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(tmp_path / "env_lake"))
    assert cli.main(["demo", "--predictions", "3000", "--end", "2026-10-31", "--no-refresh"]) == 0
    assert storage.data_files(tmp_path / "env_lake" / "predictions")
