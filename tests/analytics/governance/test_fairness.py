"""Fairness audits: hand-worked counts, and the real German credit data against sklearn."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from analytics.errors import InputError
from analytics.governance import fairness
from analytics.governance.fairness import GroupCounts

W0, W1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)


def test_hand_worked_audit() -> None:
    a = GroupCounts("a", 100, 40, tp=30, fn=10, fp=10, tn=50)
    b = GroupCounts("b", 50, 10, tp=8, fn=12, fp=2, tn=28)
    c = GroupCounts("c", 10, 9, tp=5, fn=0, fp=4, tn=1)
    audit = fairness.compute("m", "gender", [b, c, a], window_start_at=W0, window_end_at=W1, min_group_size=30)
    assert audit.reference_group == "a"  # no declared reference for "gender" groups a/b/c: the largest
    ga, gb, gc = audit.groups
    assert (ga.selection_rate, ga.disparate_impact, ga.recall) == (0.4, 1.0, 0.75)
    assert gb.selection_rate == pytest.approx(0.2) and gb.disparate_impact == pytest.approx(0.5)
    assert gb.in_band is False
    assert gb.recall == pytest.approx(0.4) and gb.recall_diff == pytest.approx(-0.35)
    assert gb.fpr == pytest.approx(2 / 30) and gb.fpr_diff == pytest.approx(2 / 30 - 10 / 60)
    assert gb.parity_ok is False  # recall differs by 0.35 > 0.1
    # c is below the minimum group size: nothing but its size is computed
    assert gc.shown is False and gc.selection_rate is None and gc.disparate_impact is None and gc.n == 10
    assert audit.status == "outside band"


def test_declared_reference_group_is_stable() -> None:
    male, female = GroupCounts("male", 40, 10, 5, 5, 5, 25), GroupCounts("female", 60, 12, 6, 6, 6, 42)
    audit = fairness.compute("m", "gender", [male, female], window_start_at=W0, window_end_at=W1)
    assert audit.reference_group == "male"  # declared, although female is the larger group here
    assert audit.groups[0].disparate_impact == pytest.approx((12 / 60) / (10 / 40))


def test_band_edges_and_insufficient_data() -> None:
    a = GroupCounts("a", 100, 50, 25, 25, 25, 25)
    b = GroupCounts("b", 100, 40, 20, 20, 20, 40)  # DI = 0.4/0.5 = 0.8: on the band's edge, inside
    audit = fairness.compute("m", "g", [a, b], window_start_at=W0, window_end_at=W1)
    assert audit.groups[1].disparate_impact == pytest.approx(0.8) and audit.groups[1].in_band
    assert audit.groups[1].recall_diff == pytest.approx(0.0)
    only_one = fairness.compute("m", "g", [a, GroupCounts("b", 5, 1, 1, 0, 0, 4)], window_start_at=W0,
                                window_end_at=W1)
    assert only_one.status == "insufficient data"
    with pytest.raises(InputError, match="Reference group"):
        fairness.compute("m", "g", [a, b], window_start_at=W0, window_end_at=W1, reference="zzz")


def _german(shared_datasets):
    path = shared_datasets / "german_credit" / "german.data"
    if not path.is_file():
        pytest.skip("german_credit is absent")
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    numeric = [1, 4, 7, 10, 12, 15, 17]  # duration, amount, rate, residence, age, credits, liable
    x = np.array([[float(r[i]) for i in numeric] for r in rows])
    y = np.array([1 if r[20] == "2" else 0 for r in rows])  # 2 = bad credit = the positive class
    sex = np.array(["female" if r[8] in ("A92", "A95") else "male" for r in rows])
    return x, y, sex


@pytest.mark.shared
def test_german_credit_matches_sklearn(shared_datasets, lake) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import confusion_matrix, recall_score
    from sklearn.preprocessing import StandardScaler

    x, y, sex = _german(shared_datasets)
    xs = StandardScaler().fit_transform(x)
    score = LogisticRegression(max_iter=1000).fit(xs, y).predict_proba(xs)[:, 1]
    pred = (score >= 0.35).astype(int)

    # oracle: sklearn per group; DI = female selection rate / male (male is the larger group: 690 vs 310)
    exp = {}
    for g in ("female", "male"):
        m = sex == g
        tn, fp, fn, tp = confusion_matrix(y[m], pred[m], labels=[0, 1]).ravel()
        exp[g] = {"n": int(m.sum()), "sel": pred[m].mean(), "recall": recall_score(y[m], pred[m]),
                  "fpr": fp / (fp + tn)}
    assert exp["male"]["n"] == 690 and exp["female"]["n"] == 310

    # through the lakehouse: predictions, outcomes and the attribute as a feature row
    t0 = W0 + timedelta(hours=1)
    ids = [f"g{i}" for i in range(len(y))]
    lake.put("models", [{"model_id": "credit", "name": "Credit", "business_unit": "Finance",
                         "stage": "production", "task": "classification", "sensitive_attribute": "gender"}])
    lake.put("predictions", pl.DataFrame({"prediction_at": [t0 + timedelta(minutes=i) for i in range(len(y))],
                                          "model_id": "credit", "request_id": ids, "score": score,
                                          "prediction": pred.astype(float)}))
    lake.put("outcomes", pl.DataFrame({"request_id": ids, "model_id": "credit",
                                       "observed_at": [W1] * len(y), "label": y.astype(float)}))
    lake.put("features", pl.DataFrame({"feature_at": [t0 + timedelta(minutes=i) for i in range(len(y))],
                                       "model_id": "credit", "request_id": ids, "feature": "gender",
                                       "value_cat": sex.tolist()}))
    audit = fairness.audit_model(lake.con(), "credit", start=W0, end=W1, min_group_size=30)
    got = {g.group: g for g in audit.groups}
    assert audit.reference_group == "male"
    for g in ("female", "male"):
        assert got[g].n == exp[g]["n"]
        assert got[g].selection_rate == pytest.approx(exp[g]["sel"])
        assert got[g].recall == pytest.approx(exp[g]["recall"])
        assert got[g].fpr == pytest.approx(exp[g]["fpr"])
    assert got["female"].disparate_impact == pytest.approx(exp["female"]["sel"] / exp["male"]["sel"])
    assert got["female"].recall_diff == pytest.approx(exp["female"]["recall"] - exp["male"]["recall"])

    # stored, signed off, and read back with the same verdicts
    audit_id = fairness.record(lake.root, audit, audited_at=W1, reaudit_on=date(2026, 7, 1))
    con = lake.con()
    before = fairness.summary(con, as_of=date(2026, 5, 1)).row(0, named=True)
    assert before["audit_id"] == audit_id and before["signed_off_by"] is None and before["status"] == audit.status
    assert before["worst_di"] == pytest.approx(got["female"].disparate_impact)
    fairness.sign_off(lake.root, audit_id, actor="Risk Committee", reaudit_on=date(2026, 10, 1),
                      now=datetime(2026, 5, 2, tzinfo=UTC))
    after = fairness.summary(lake.con(), as_of=date(2026, 9, 1)).row(0, named=True)
    assert after["signed_off_by"] == "Risk Committee" and after["reaudit_on"] == date(2026, 10, 1)
    assert after["is_overdue"] is False
    assert fairness.summary(lake.con(), as_of=date(2026, 10, 2)).row(0, named=True)["is_overdue"] is True
    # the table keeps both the audit rows and the sign-off row (append-only)
    assert lake.con().sql("select count(*) from fairness_audits").fetchall()[0][0] == 3


def test_sign_off_validation(lake) -> None:
    with pytest.raises(InputError, match="future"):
        fairness.sign_off(lake.root, "x", actor="a", reaudit_on=date(2020, 1, 1))
    with pytest.raises(InputError, match="no fairness audit"):
        fairness.sign_off(lake.root, "x", actor="a", reaudit_on=date(2099, 1, 1))
    with pytest.raises(InputError, match="actor"):
        fairness.sign_off(lake.root, "x", actor=" ", reaudit_on=date(2099, 1, 1))


# ---------------------------------------------------------------- issue 12: DI = 0, small groups, reference case

def test_worst_disparate_impact_includes_zero(lake) -> None:
    # b had no positive outcome at all: DI = 0 / 0.5 = 0, the worst there is. Before: "1.00x"
    a = GroupCounts("a", 100, 50, 25, 25, 25, 25)
    b = GroupCounts("b", 80, 0, 0, 40, 0, 40)
    audit = fairness.compute("m", "region", [a, b], window_start_at=W0, window_end_at=W1)
    assert audit.groups[1].disparate_impact == 0.0 and audit.status == "outside band"
    assert fairness.worst_di(audit) == 0.0
    fairness.record(lake.root, audit, audited_at=W1)
    assert fairness.summary(lake.con(), as_of=date(2026, 4, 2)).row(0, named=True)["worst_di"] == 0.0


def test_small_group_shows_insufficient_evidence_with_a_wilson_interval(lake) -> None:
    from statsmodels.stats.proportion import proportion_confint

    a = GroupCounts("a", 100, 40, 30, 10, 10, 50)
    b = GroupCounts("b", 90, 30, 20, 10, 10, 50)
    c = GroupCounts("c", 12, 1, 1, 2, 0, 9)  # 1 of 12 selected: a DI of 0.21 on 12 rows is no verdict
    audit = fairness.compute("m", "region", [a, b, c], window_start_at=W0, window_end_at=W1, min_group_size=30)
    table = fairness.group_table(audit).sort("group")
    assert table["verdict"].to_list() == ["within band", "within band", "insufficient evidence"]
    for g, k, n in (("a", 40, 100), ("c", 1, 12)):
        row = table.filter(pl.col("group") == g).row(0, named=True)
        low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert (row["selection_low"], row["selection_high"]) == (pytest.approx(low, abs=1e-12),
                                                                 pytest.approx(high, abs=1e-12))
    small = table.filter(pl.col("group") == "c").row(0, named=True)
    assert small["selection_rate"] is None and small["disparate_impact"] is None and small["in_band"] is None
    assert audit.status == "within band"
    # stored and read back: the interval survives, still no verdict
    fairness.record(lake.root, audit, audited_at=W1)
    back = fairness.latest_groups(lake.con(), as_of=date(2026, 4, 2), model_id="m").sort("group")
    assert back["verdict"].to_list() == table["verdict"].to_list()
    assert back["selection_high"][2] == pytest.approx(proportion_confint(1, 12, method="wilson")[1], abs=1e-12)


def test_reference_group_matches_case_insensitively() -> None:
    male, female = GroupCounts("Male", 40, 10, 5, 5, 5, 25), GroupCounts("Female", 60, 12, 6, 6, 6, 42)
    audit = fairness.compute("m", "Sex", [male, female], window_start_at=W0, window_end_at=W1)
    assert audit.reference_group == "Male"  # before: "Female", the larger group
    assert fairness.compute("m", "g", [male, female], window_start_at=W0, window_end_at=W1,
                            reference="male").reference_group == "Male"


@pytest.mark.shared
def test_adult_census_reference_is_male_whatever_its_spelling(shared_datasets) -> None:
    path = shared_datasets / "adult_census" / "adult.data"
    if not path.is_file():
        pytest.skip("adult_census is absent")
    rows = [line.split(",") for line in path.read_text().splitlines() if line.count(",") == 14]
    rows = [r for r in rows if r[7].strip() == "Unmarried"]  # women outnumber men here: 2,654 vs 792
    sex = np.array([r[9] for r in rows])  # as spelled in the file: " Male", " Female"
    rich = np.array([r[14].strip() == ">50K" for r in rows])  # the positive outcome as the "selection"
    counts = [GroupCounts(g, int((sex == g).sum()), int(rich[sex == g].sum()), 0, 0, 0, 0)
              for g in (" Female", " Male")]
    audit = fairness.compute("census", "sex", counts, window_start_at=W0, window_end_at=W1)
    assert audit.reference_group == " Male"  # before: " Female", the larger group
    female = rich[sex == " Female"].mean() / rich[sex == " Male"].mean()  # hand-worked: 0.0422 / 0.1338
    assert audit.groups[0].disparate_impact == pytest.approx(female, rel=1e-12)
    assert 0.31 < female < 0.32 and fairness.worst_di(audit) == pytest.approx(female)


def test_signing_off_an_audit_outside_the_band_needs_a_reason(lake) -> None:
    a = GroupCounts("a", 100, 50, 25, 25, 25, 25)
    b = GroupCounts("b", 100, 20, 10, 40, 10, 40)  # DI 0.4: outside
    audit_id = fairness.record(lake.root, fairness.compute("m", "g", [a, b], window_start_at=W0, window_end_at=W1),
                               audited_at=W1)
    now = datetime(2026, 4, 2, tzinfo=UTC)
    with pytest.raises(InputError, match="outside the band"):
        fairness.sign_off(lake.root, audit_id, actor="Risk", reaudit_on=date(2026, 7, 1), now=now, reason="  ")
    assert lake.con().sql("select count(*) from fairness_audits").fetchall()[0][0] == 2  # nothing written
    fairness.sign_off(lake.root, audit_id, actor="Risk", reaudit_on=date(2026, 7, 1), now=now,
                      reason="Group b is a pilot branch; remediation plan RP-12 due in June.")
    row = fairness.summary(lake.con(), as_of=date(2026, 4, 3)).row(0, named=True)
    assert row["signed_off_by"] == "Risk"
    assert row["sign_off_reason"] == "Group b is a pilot branch; remediation plan RP-12 due in June."
