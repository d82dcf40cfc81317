"""The demo's seasonal story for label-free estimation: predictive maintenance scores its logged
inputs, hot bearings in summer make it less sure, and the estimated AUC raises the alarm at least a
week before the realised AUC can (its labels arrive 3 to 30 days late).

The shared ``demo_root`` (40,000 predictions) gives predictive maintenance about 30 predictions a
week, too few for the 50 labels a week calibration needs, so this builds its own demo with the same
seed and end at 300,000 predictions (about 200 a week for the model). The realised AUC and the day
each week's labels had matured are computed here from the raw predictions and outcomes (scikit-learn's
``roc_auc_score``), not from the rollups the estimate reads.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score

from analytics import demo
from analytics.drift import estimate
from analytics.lakehouse import connection
from analytics.lakehouse import refresh as rollup_refresh

pytestmark = pytest.mark.slow  # a 300,000-prediction demo lakehouse: `make test` runs it, `make test-fast` does not

MODEL = "predictive_maintenance"
SEED = 7  # the seed of the tests' demo lakehouse (tests/conftest.py)


@pytest.fixture(scope="module")
def story_lake(tmp_path_factory):
    root = tmp_path_factory.mktemp("story") / "lakehouse"
    demo.generate(root, seed=SEED, predictions=300_000, end=date(2026, 10, 31), extras=False)
    rollup_refresh.refresh(root)
    return root


def test_scores_depend_on_the_logged_inputs(story_lake):
    from analytics.demo.traffic import maintenance_risk

    con = connection.connect(story_lake)
    rows = con.sql(f"""
        select p.request_id, any_value(p.score) as score,
               max(case when f.feature = 'vibration_rms' then f.value_num end) as vibration_rms,
               max(case when f.feature = 'hours_since_service' then f.value_num end) as hours_since_service,
               max(case when f.feature = 'load_pct' then f.value_num end) as load_pct,
               max(case when f.feature = 'bearing_temp' then f.value_num end) as bearing_temp
        from predictions p join features f using (request_id)
        where p.model_id = '{MODEL}' group by 1 limit 2000""").pl()
    assert rows.height > 500
    risk = maintenance_risk({c: rows[c].to_numpy() for c in rows.columns[2:]})
    # the logged inputs reproduce the score (to its 4 logged decimals)
    assert np.abs(risk - rows["score"].to_numpy()).max() < 6e-5


def test_the_estimate_flags_the_seasonal_episode_a_week_before_the_realised_auc(story_lake):
    con = connection.connect(story_lake)
    version, train_end = con.sql(f"""select version, train_end_at from model_versions where model_id = '{MODEL}'
                                     order by registered_at desc limit 1""").fetchall()[0]
    est = estimate.estimate(con, model_id=MODEL, version=version, train_end=train_end.date())
    raw = con.sql(f"""
        select date_trunc('week', timezone('UTC', p.prediction_at))::date as week_start, p.score, o.label,
               o.observed_at::date as observed
        from predictions p join outcomes o using (request_id)
        where p.model_id = '{MODEL}' and p.version = '{version}'""").pl()
    weekly = []
    for (week,), g in raw.group_by("week_start"):
        if g.height >= estimate.MIN_LABELLED and 0 < g["label"].sum() < g.height:
            weekly.append({"week_start": week, "auc": roc_auc_score(g["label"], g["score"]),
                           "matured": g["observed"].sort()[int(0.8 * (g.height - 1))]})
    real = pl.DataFrame(weekly).sort("week_start")
    cal = est.filter(pl.col("is_calibration"))["week_start"]
    ref = real.filter(pl.col("week_start").is_in(cal.implode()))["auc"].to_numpy()
    low = ref.mean() - 3 * ref.std(ddof=1)
    after = est.filter(~pl.col("is_calibration") & (pl.col("n_scored") >= estimate.MIN_LABELLED))
    est_week = estimate.first_flag(after, metric="auc", lower=low)
    flagged = real.filter(~pl.col("week_start").is_in(cal.implode()) & (pl.col("auc") < low))
    assert est_week is not None and flagged.height, (low, est_week)
    real_week, real_known = flagged.row(0, named=True)["week_start"], flagged.row(0, named=True)["matured"]
    est_known = est_week + timedelta(days=7)  # the scores of a week are all in at its end
    # the episode: spring/summer heat (after the winter calibration), not noise in winter
    assert date(2026, 3, 15) <= est_week <= date(2026, 7, 31)
    assert (real_known - est_known).days >= 7, (est_week, est_known, real_week, real_known)
    # and in high summer the estimate stays below the band (the episode, not one noisy week)
    summer = after.filter(pl.col("week_start").is_between(date(2026, 6, 1), date(2026, 8, 15)))
    assert summer["est_auc"].max() < low
