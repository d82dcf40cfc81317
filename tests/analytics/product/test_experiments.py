"""Experiments: every statistic against scipy/statsmodels or a hand-worked example."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np
import polars as pl
import pytest
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

from analytics.errors import InputError
from analytics.product import experiments as ex
from analytics.product.scope import Scope, everything


def frame(control, treatment, *, cov_c=None, cov_t=None, name="B"):
    data = {"variant": ["A"] * len(control) + [name] * len(treatment),
            "y": np.concatenate([control, treatment]).astype(float)}
    if cov_c is not None:
        data["x"] = np.concatenate([cov_c, cov_t]).astype(float)
    return pl.DataFrame(data)


def test_welch_hand_worked_and_scipy():
    # control 1,2,3,4 (mean 2.5, var 5/3); treatment 2,3,4,5,7 (mean 4.2, var 3.7)
    out = ex.compare_variants(frame([1, 2, 3, 4], [2, 3, 4, 5, 7]), variant_col="variant", metric_col="y",
                              control="A").row(0, named=True)
    assert out["diff"] == pytest.approx(1.7)
    se = math.sqrt((5 / 3) / 4 + 3.7 / 5)
    df = (5 / 12 + 0.74) ** 2 / ((5 / 12) ** 2 / 3 + 0.74 ** 2 / 4)
    assert out["p_value"] == pytest.approx(2 * stats.t.sf(1.7 / se, df))
    ref = stats.ttest_ind([2, 3, 4, 5, 7], [1, 2, 3, 4], equal_var=False)
    ci = ref.confidence_interval(0.95)
    assert out["p_value"] == pytest.approx(ref.pvalue)
    assert (out["diff_ci_low"], out["diff_ci_high"]) == pytest.approx((ci.low, ci.high))
    assert out["lift"] == pytest.approx(4.2 / 2.5 - 1)
    assert out["cuped"] is None


def test_welch_random_against_scipy():
    rng = np.random.default_rng(5)
    c, t = rng.normal(10, 3, 800), rng.normal(10.4, 4, 650)
    out = ex.compare_variants(frame(c, t), variant_col="variant", metric_col="y", control="A").row(0, named=True)
    ref = stats.ttest_ind(t, c, equal_var=False)
    assert out["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert (out["diff_ci_low"], out["diff_ci_high"]) == pytest.approx(tuple(ref.confidence_interval(0.95)))
    assert (out["n_control"], out["n_treatment"]) == (800, 650)
    # chance to win (normal approximation) = 1 - one-sided p of "treatment <= control", near Welch's
    assert out["chance_to_win"] == pytest.approx(1 - stats.ttest_ind(t, c, equal_var=False,
                                                                     alternative="greater").pvalue, abs=1e-3)


def test_proportions_against_statsmodels():
    c = np.r_[np.ones(120), np.zeros(880)]
    t = np.r_[np.ones(150), np.zeros(850)]
    out = ex.compare_variants(frame(c, t), variant_col="variant", metric_col="y", control="A",
                              metric_kind="proportion").row(0, named=True)
    _z, p = proportions_ztest([150, 120], [1000, 1000])
    lo, hi = confint_proportions_2indep(150, 1000, 120, 1000, method="wald", compare="diff")
    assert out["diff"] == pytest.approx(0.03)
    assert out["p_value"] == pytest.approx(p)
    assert (out["diff_ci_low"], out["diff_ci_high"]) == pytest.approx((lo, hi))
    # hand-worked pooled z: p = 0.135, se = sqrt(.135 * .865 * 2/1000)
    assert out["p_value"] == pytest.approx(2 * stats.norm.sf(0.03 / math.sqrt(0.135 * 0.865 * 0.002)))
    assert out["lift"] == pytest.approx(0.25)
    # delta method by hand: var = pt(1-pt)/(n pc^2) + pt^2 pc(1-pc)/(n pc^4)
    se = math.sqrt(0.15 * 0.85 / (1000 * 0.12 ** 2) + 0.15 ** 2 * 0.12 * 0.88 / (1000 * 0.12 ** 4))
    assert (out["lift_ci_low"], out["lift_ci_high"]) == pytest.approx((0.25 - 1.959964 * se, 0.25 + 1.959964 * se))


def test_chance_to_win_beta_exact_against_monte_carlo():
    rng = np.random.default_rng(11)
    for xt, nt, xc, nc in [(150, 1000, 120, 1000), (3, 20, 5, 20), (40, 400, 40, 400)]:
        exact = ex.prob_beta_greater(1 + xt, 1 + nt - xt, 1 + xc, 1 + nc - xc)
        draws = rng.beta(1 + xt, 1 + nt - xt, 400_000) > rng.beta(1 + xc, 1 + nc - xc, 400_000)
        assert exact == pytest.approx(draws.mean(), abs=0.005)
    # symmetric case is exactly one half
    assert ex.prob_beta_greater(41, 361, 41, 361) == pytest.approx(0.5, abs=1e-9)


def test_lift_interval_covers_truth_in_simulation():
    """Delta-method interval: about 95% coverage over repeated experiments (oracle: simulation)."""
    rng = np.random.default_rng(2)
    hits = 0
    for _ in range(300):
        c, t = rng.exponential(10, 2000), rng.exponential(11, 2000)
        r = ex.compare_variants(frame(c, t), variant_col="variant", metric_col="y", control="A").row(0, named=True)
        hits += r["lift_ci_low"] <= 0.1 <= r["lift_ci_high"]
    assert 0.91 <= hits / 300 <= 0.99


def test_cuped_hand_worked_and_ancova_oracle():
    rng = np.random.default_rng(9)
    n = 3000
    x = rng.normal(50, 10, 2 * n)
    treat = np.r_[np.zeros(n), np.ones(n)]
    y = 5 + 0.8 * x + 1.5 * treat + rng.normal(0, 4, 2 * n)
    df = pl.DataFrame({"variant": np.where(treat == 1, "B", "A"), "y": y, "x": x})
    out = ex.compare_variants(df, variant_col="variant", metric_col="y", control="A", covariate_col="x")
    r = out.row(0, named=True)
    # hand formula: theta from the pooled covariance, then a difference of adjusted means
    theta = np.cov(y, x, ddof=1)[0, 1] / x.var(ddof=1)
    adj = y - theta * (x - x.mean())
    assert r["diff"] == pytest.approx(adj[treat == 1].mean() - adj[treat == 0].mean())
    assert r["cuped"] == pytest.approx(1 - adj.var(ddof=1) / y.var(ddof=1))
    assert r["cuped"] == pytest.approx(np.corrcoef(y, x)[0, 1] ** 2, abs=0.01)
    # oracle: the ANCOVA treatment coefficient (statsmodels OLS) nearly equals the CUPED estimate
    fit = OLS(y, np.column_stack([np.ones(2 * n), treat, x])).fit()
    assert r["diff"] == pytest.approx(fit.params[1], abs=0.02)
    # and the CUPED interval is much narrower than the raw one
    raw = ex.compare_variants(df, variant_col="variant", metric_col="y", control="A").row(0, named=True)
    assert (r["diff_ci_high"] - r["diff_ci_low"]) < 0.6 * (raw["diff_ci_high"] - raw["diff_ci_low"])
    assert stats.ttest_ind(adj[treat == 1], adj[treat == 0], equal_var=False).pvalue == pytest.approx(r["p_value"])


def test_several_variants_and_direction():
    rng = np.random.default_rng(4)
    df = pl.DataFrame({"variant": ["ctl"] * 500 + ["v1"] * 500 + ["v2"] * 500,
                       "y": np.r_[rng.normal(1, 1, 500), rng.normal(1.3, 1, 500), rng.normal(0.7, 1, 500)]})
    out = ex.compare_variants(df, variant_col="variant", metric_col="y", control="ctl")
    assert out["variant"].to_list() == ["v1", "v2"]
    assert out["chance_to_win"][0] > 0.99 and out["chance_to_win"][1] < 0.01
    down = ex.compare_variants(df, variant_col="variant", metric_col="y", control="ctl", higher_is_better=False)
    assert down["chance_to_win"].to_list() == pytest.approx((1 - out["chance_to_win"]).to_list())
    assert ex.higher_is_better("conversion") and not ex.higher_is_better("forecast_error")


@pytest.mark.parametrize(("kw", "message"), [
    ({"metric_kind": "median"}, "metric_kind"),
    ({"metric_col": "nope"}, "Column 'nope'"),
    ({"control": "Z"}, "control variant 'Z'"),
    ({"metric_kind": "proportion"}, "0 or 1"),
])
def test_bad_input(kw, message):
    args = {"variant_col": "variant", "metric_col": "y", "control": "A", **kw}
    with pytest.raises(InputError, match=message):
        ex.compare_variants(frame([1, 2, 3], [2, 3, 4]), **args)


def test_srm_against_scipy_and_hand():
    assert ex.srm_p_value([10_400, 9_600]) == pytest.approx(stats.chisquare([10_400, 9_600]).pvalue)
    # hand: chi2 = 2 * 400^2 / 10000 = 32 on 1 df
    assert ex.srm_p_value([10_400, 9_600]) == pytest.approx(stats.chi2.sf(32, 1))
    assert ex.srm_p_value([10_400, 9_600]) < ex.SRM_ALPHA
    assert ex.srm_p_value([900, 100], [0.9, 0.1]) == pytest.approx(1.0)
    assert ex.srm_p_value([300, 200, 500], [1, 1, 2]) == pytest.approx(
        stats.chisquare([300, 200, 500], [250, 250, 500]).pvalue)
    with pytest.raises(InputError):
        ex.srm_p_value([5])


def test_benjamini_hochberg_against_statsmodels():
    p = [0.01, 0.04, 0.03, 0.005, 0.5, 0.2]
    assert ex.benjamini_hochberg(p) == pytest.approx(list(multipletests(p, method="fdr_bh")[1]))
    # hand: sorted .005 .01 .03 .04 -> x6/1, x6/2, x6/3, x6/4 = .03 .03 .06 .06
    assert ex.benjamini_hochberg([0.005, 0.01, 0.03, 0.04]) == pytest.approx([0.02, 0.02, 0.04, 0.04])
    assert ex.benjamini_hochberg([]) == []


# ---------------------------------------------------------------- lakehouse experiments and the ledger

T_START, T_END = datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC)


@pytest.fixture
def exp_lake(lake):
    rng = np.random.default_rng(1)
    lake.put("models", [{"model_id": "m", "name": "M", "business_unit": "Retail", "stage": "production",
                         "task": "regression"}])
    lake.put("experiment_defs", [
        {"experiment_id": "e1", "model_id": "m", "name": "new ranker", "control": "control",
         "primary_metric": "revenue_per_user", "started_at": T_START, "ended_at": T_END, "status": "concluded"},
        {"experiment_id": "e2", "model_id": "m", "name": "skewed", "control": "control",
         "primary_metric": "revenue_per_user", "started_at": T_START, "ended_at": T_END, "status": "concluded"},
    ])
    rows = []
    for exp, n_c, n_t, lift in (("e1", 3000, 3000, 1.0), ("e2", 3150, 2850, 1.0)):
        for arm, n in (("control", n_c), ("treatment", n_t)):
            pre = rng.normal(20, 5, n)
            val = pre + rng.normal(0, 3, n) + (lift if arm == "treatment" else 0)
            conv = rng.random(n) < (0.12 if arm == "control" else 0.125)
            for i in range(n):
                uid = f"{exp}-{arm}-{i}"
                rows.append({"experiment_id": exp, "unit_id": uid, "variant": arm, "metric": "revenue_per_user",
                             "metric_kind": "mean", "value": float(val[i]), "pre_value": float(pre[i])})
                rows.append({"experiment_id": exp, "unit_id": uid, "variant": arm, "metric": "conversion",
                             "metric_kind": "proportion", "value": float(conv[i])})
    lake.put("experiments", rows)
    return lake


def test_analyze_experiment(exp_lake):
    con = exp_lake.con()
    r = ex.analyze_experiment(con, everything(), experiment_id="e1")
    assert r.srm_ok and r.verdict == "Winner"
    assert r.results["metric"].to_list() == ["conversion", "revenue_per_user"]
    rev = r.results.filter(pl.col("metric") == "revenue_per_user").row(0, named=True)
    assert rev["cuped"] > 0.5 and rev["diff_ci_low"] < 1.0 < rev["diff_ci_high"]
    assert r.results["q_value"].to_list() == pytest.approx(
        list(multipletests(r.results["p_value"].to_list(), method="fdr_bh")[1]))
    skewed = ex.analyze_experiment(con, everything(), experiment_id="e2")
    assert not skewed.srm_ok and skewed.srm_p_value < 0.001
    assert skewed.verdict == "Sample ratio mismatch: do not trust"
    small = ex.analyze_experiment(con, everything(), experiment_id="e1", min_units_per_arm=5000)
    assert small.verdict.startswith("Not enough data")
    with pytest.raises(InputError, match="no experiment"):
        ex.analyze_experiment(con, everything(), experiment_id="nope")
    listed = ex.list_experiments(con, Scope(date(2025, 2, 1), date(2025, 2, 28)))
    assert listed.select("experiment_id", "n_units", "n_metrics").rows() == [("e1", 6000, 2), ("e2", 6000, 2)]


def test_winner_writes_measured_value_once(exp_lake):
    now = datetime(2025, 4, 1, tzinfo=UTC)
    assert ex.record_measured_value(exp_lake.root, now=now) == 1  # e2 has an SRM: not written
    assert ex.record_measured_value(exp_lake.root, now=now) == 0  # idempotent
    rows = exp_lake.con().sql("select * from value_ledger").pl()
    assert rows.height == 1
    r = rows.row(0, named=True)
    res = ex.analyze_experiment(exp_lake.con(), everything(), experiment_id="e1").results
    diff = res.filter(pl.col("metric") == "revenue_per_user")["diff"][0]
    months = (T_END - T_START).days / (365.25 / 12)
    assert (r["month"], r["attribution"], r["category"], r["entered_by"]) == (
        date(2025, 3, 1), "measured", "incremental_revenue", "experiment:e1")
    assert r["amount_usd"] == pytest.approx(diff * 6000 / months)
    assert r["ci_low_usd"] < r["amount_usd"] < r["ci_high_usd"]
