"""ROI and value ledger: hand-worked inline ledgers, invariants, and the write path."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import polars as pl
import pytest

from analytics.errors import InputError
from analytics.product import roi
from analytics.product.scope import Scope, previous_window

T0 = datetime(2025, 1, 1, tzinfo=UTC)
T1 = datetime(2025, 6, 1, tzinfo=UTC)

MODELS = [
    {"model_id": "a", "name": "A", "business_unit": "Retail", "stage": "production", "task": "regression"},
    {"model_id": "b", "name": "B", "business_unit": "Finance", "stage": "pilot", "task": "classification"},
]


def L(month, model, category, amount, attribution="estimated", at=T0, **kw):  # noqa: N802
    return {"month": month, "model_id": model, "category": category, "amount_usd": float(amount),
            "attribution": attribution, "entered_at": at, "entered_by": "seed", **kw}


@pytest.fixture
def ledger_lake(lake):
    lake.put("models", MODELS)
    lake.put("value_ledger", [
        # previous window (2024-11, 2024-12)
        L(date(2024, 11, 1), "a", "incremental_revenue", 100),
        L(date(2024, 11, 1), "a", "infrastructure", 50),
        L(date(2024, 12, 1), "b", "cost_savings", 30),
        L(date(2024, 12, 1), "b", "people", 60),
        # current window (2025-01, 2025-02)
        L(date(2025, 1, 1), "a", "incremental_revenue", 400, "measured", ci_low_usd=300.0, ci_high_usd=500.0),
        L(date(2025, 1, 1), "a", "infrastructure", 100),
        L(date(2025, 2, 1), "a", "incremental_revenue", 200, "self_reported"),
        L(date(2025, 2, 1), "a", "people", 100),
        L(date(2025, 2, 1), "b", "cost_savings", 50),
        L(date(2025, 2, 1), "b", "licences", 80),
        # a correction: supersedes b's February licence cost (80 -> 20); history keeps 80
        L(date(2025, 2, 1), "b", "licences", 20, at=T1),
        # after the window: ignored by window and to-date figures
        L(date(2025, 3, 1), "a", "incremental_revenue", 1000),
    ])
    return lake


def test_portfolio_value_hand_worked(ledger_lake):
    v = roi.portfolio_value(ledger_lake.con(), Scope(date(2025, 1, 1), date(2025, 2, 28)))
    # current: benefit 400+200+50 = 650; cost 100+100+20 (corrected) = 220
    assert (v.benefit_usd, v.cost_usd, v.net_usd) == (650, 220, 430)
    assert v.roi == pytest.approx(430 / 220)
    # previous window = November and December 2024 (as many whole months; 59 days back from 1 January
    # would start on 3 November and drop November): benefit 100 + 30, cost 50 + 60
    assert (v.prev_benefit_usd, v.prev_cost_usd, v.prev_net_usd) == (130, 110, 20)
    assert v.prev_roi == pytest.approx(20 / 110)
    # to date: (100-50) + (30-60) + 430
    assert v.value_to_date_usd == 450


def test_portfolio_value_equal_length_previous_window(ledger_lake):
    v = roi.portfolio_value(ledger_lake.con(), Scope(date(2025, 1, 1), date(2025, 1, 31)))
    assert (v.benefit_usd, v.cost_usd) == (400, 100)
    assert (v.prev_benefit_usd, v.prev_cost_usd) == (30, 60)  # 2024-12-01 .. 2024-12-31
    assert previous_window(date(2025, 1, 1), date(2025, 1, 31)) == (date(2024, 12, 1), date(2024, 12, 31))


def test_portfolio_value_business_unit_filter_and_no_cost(ledger_lake):
    v = roi.portfolio_value(ledger_lake.con(), Scope(date(2025, 1, 1), date(2025, 2, 28),
                                                     business_units=("Finance",), countries=("DE",)))
    assert (v.benefit_usd, v.cost_usd, v.net_usd) == (50, 20, 30)
    assert v.value_to_date_usd == 0  # -30 + 30
    empty = roi.portfolio_value(ledger_lake.con(), Scope(date(2030, 1, 1), date(2030, 2, 1)))
    assert empty.roi is None and empty.benefit_usd == 0


def test_portfolio_value_empty_lakehouse(lake):
    v = roi.portfolio_value(lake.con(), Scope(date(2025, 1, 1), date(2025, 12, 31)))
    assert v == roi.ValueSummary(0, 0, 0, None, 0, 0, 0, None, 0)
    assert roi.value_by_month(lake.con(), Scope(date(2025, 1, 1), date(2025, 12, 31))).is_empty()


def test_bad_window_is_an_input_error(ledger_lake):
    with pytest.raises(InputError, match="after the end date"):
        roi.portfolio_value(ledger_lake.con(), Scope(date(2025, 3, 1), date(2025, 1, 1)))


def test_value_by_month_hand_worked(ledger_lake):
    out = roi.value_by_month(ledger_lake.con(), Scope(date(2025, 1, 1), date(2025, 2, 28)))
    assert out.columns == ["month", "business_unit", "benefit_usd", "cost_usd", "net_usd"]
    assert out.rows() == [
        (date(2025, 1, 1), "Retail", 400.0, 100.0, 300.0),
        (date(2025, 2, 1), "Finance", 50.0, 20.0, 30.0),
        (date(2025, 2, 1), "Retail", 200.0, 100.0, 100.0),
    ]


def test_value_by_month_invariants(ledger_lake):
    out = roi.value_by_month(ledger_lake.con(), Scope(date(2024, 1, 1), date(2025, 12, 31)))
    assert out.filter((pl.col("net_usd") - (pl.col("benefit_usd") - pl.col("cost_usd"))).abs() > 1e-9).is_empty()
    assert out.select("month", "business_unit").is_unique().all()
    # the monthly rows sum to the portfolio totals of the same window
    v = roi.portfolio_value(ledger_lake.con(), Scope(date(2024, 1, 1), date(2025, 12, 31)))
    assert out["benefit_usd"].sum() == v.benefit_usd and out["cost_usd"].sum() == v.cost_usd


# ---------------------------------------------------------------- per model


def test_npv_hand_worked_and_numpy_oracle():
    # 12% a year, flows at months 0, 12 and 24: -100 + 112/1.12 + 125.44/1.12**2 = 100
    flows = [-100.0] + [0.0] * 11 + [112.0] + [0.0] * 11 + [125.44]
    assert roi.npv(flows, 0.12) == pytest.approx(100.0)
    rng = np.random.default_rng(1)
    flows = list(rng.normal(10, 50, 30))
    monthly = 1.12 ** (1 / 12) - 1
    # oracle: numpy's polynomial evaluation of sum cf_t x^t at x = 1 / (1 + monthly rate)
    assert roi.npv(flows, 0.12) == pytest.approx(np.polynomial.polynomial.polyval(1 / (1 + monthly), flows))
    assert roi.npv(flows, 0.0) == pytest.approx(sum(flows))


def test_payback_month():
    months = [date(2025, m, 1) for m in (1, 2, 3, 4)]
    assert roi.payback_month(months, [-100, 50, 40, 20]) == date(2025, 4, 1)  # -100, -50, -10, +10
    assert roi.payback_month(months, [-100, 50, 40, 10]) is None  # reaches 0, never above
    assert roi.payback_month(months[::-1], [20, 40, 50, -100]) == date(2025, 4, 1)  # order-independent


def test_model_value_hand_worked(ledger_lake):
    out = roi.model_value(ledger_lake.con(), Scope(date(2025, 1, 1), date(2025, 2, 28)),
                          discount_rate=0.12)
    a = out.filter(pl.col("model_id") == "a").row(0, named=True)
    assert (a["benefit_usd"], a["cost_usd"], a["net_usd"]) == (600, 200, 400)
    assert a["roi"] == pytest.approx(2.0)
    assert a["npv_usd"] == pytest.approx(300 + 100 / 1.12 ** (1 / 12))
    assert a["payback_month"] == date(2024, 11, 1)  # 100 - 50 > 0 in its first month
    assert a["net_to_date_usd"] == 450
    assert a["share_measured"] == pytest.approx(400 / 600)
    assert a["share_self_reported"] == pytest.approx(200 / 600)
    assert a["attribution"] == "measured"
    b = out.filter(pl.col("model_id") == "b").row(0, named=True)
    assert (b["net_usd"], b["net_to_date_usd"], b["payback_month"]) == (30, 0, None)
    by_bu = roi.value_by_business_unit(ledger_lake.con(), Scope(date(2025, 1, 1), date(2025, 2, 28)))
    assert by_bu.rows() == [("Retail", 600.0, 200.0, 400.0, 2.0), ("Finance", 50.0, 20.0, 30.0, 1.5)]


def test_ledger_history_keeps_corrections(ledger_lake):
    hist = roi.ledger_history(ledger_lake.con(), Scope(date(2025, 2, 1), date(2025, 2, 28)),
                              model_ids=("b",))
    lic = hist.filter(pl.col("category") == "licences")
    assert lic.select("amount_usd", "is_current").rows() == [(20.0, True), (80.0, False)]
    current = roi.ledger_history(ledger_lake.con(), Scope(date(2025, 1, 1), date(2025, 1, 31)),
                                 current_only=True)
    m = current.filter(pl.col("attribution") == "measured").row(0, named=True)
    assert (m["attribution_label"], m["ci_low_usd"], m["ci_high_usd"]) == ("Measured (A/B test)", 300, 500)


def test_cumulative_value(ledger_lake):
    out = roi.cumulative_value(ledger_lake.con(), Scope(date(2025, 1, 1), date(2025, 2, 28)))
    assert out.select("month", "net_usd", "cumulative_net_usd").rows() == [
        (date(2025, 1, 1), 300.0, 300.0), (date(2025, 2, 1), 130.0, 430.0)]


def test_what_if_hand_worked(ledger_lake):
    # a's invocations: 30 from DE, 70 from FR; b has no usage
    ledger_lake.put("usage_events", [
        {"event_at": datetime(2025, 1, 7, tzinfo=UTC), "model_id": "a", "user_id": f"u{i}",
         "country": "DE" if i < 30 else "FR", "event_type": "invoke"} for i in range(100)])
    ledger_lake.refresh()
    con = ledger_lake.con()
    w = roi.what_if(con, Scope(date(2025, 1, 1), date(2025, 2, 28), countries=("DE",)), adoption_change=0.2,
                    cost_change=0.1)
    # two months annualised x6: benefit 650*6 = 3900, cost 220*6 = 1320
    assert (w.months, w.annual_benefit_usd, w.annual_cost_usd) == (2, 3900, 1320)
    # DE's part: 30% of a's 600 -> 180 x 6 = 1080 affected; +20% = +216
    assert w.share_affected == pytest.approx(1080 / 3900)
    assert w.scenario_benefit_usd == pytest.approx(3900 + 216)
    assert w.scenario_cost_usd == pytest.approx(1452)
    assert w.delta_net_usd == pytest.approx(216 - 132)
    everyone = roi.what_if(con, Scope(date(2025, 1, 1), date(2025, 2, 28)),
                           adoption_change=-0.5, cost_change=0)
    assert everyone.scenario_benefit_usd == pytest.approx(1950)
    with pytest.raises(InputError):
        roi.what_if(con, Scope(date(2025, 1, 1), date(2025, 2, 28)), adoption_change=-2,
                    cost_change=0)


# ---------------------------------------------------------------- the write path


def _entry(**kw):
    row = {"month": "2025-04-01", "model_id": "a", "category": "people", "amount_usd": "1,250.50",
           "attribution": "self_reported"}
    return {**row, **kw}


def test_record_entries_appends_with_who_and_when(ledger_lake):
    before = ledger_lake.con().sql("select count(*) from value_ledger").fetchall()[0][0]
    n = roi.record_entries(ledger_lake.root, [_entry(), _entry(category="licences", amount_usd=10)],
                           actor="pat", now=T1)
    assert n == 2
    con = ledger_lake.con()
    rows = con.sql("select amount_usd, entered_by, entered_at from value_ledger where month = '2025-04-01' "
                   "order by amount_usd").fetchall()
    assert rows == [(10.0, "pat", T1), (1250.5, "pat", T1)]
    assert con.sql("select count(*) from value_ledger").fetchall()[0][0] == before + 2


def test_correction_updates_figure_and_keeps_history(ledger_lake):
    roi.record_entries(ledger_lake.root, [_entry(month="2025-02", model_id="b", category="licences",
                                                 amount_usd=5)], actor="pat")
    v = roi.portfolio_value(ledger_lake.con(), Scope(date(2025, 1, 1), date(2025, 2, 28)))
    assert v.cost_usd == 205  # 100 + 100 + 5
    hist = roi.ledger_history(ledger_lake.con(), Scope(date(2025, 2, 1), date(2025, 2, 28)),
                              model_ids=["b"])
    assert hist.filter(pl.col("category") == "licences")["amount_usd"].to_list() == [5, 20, 80]


@pytest.mark.parametrize(("bad", "message"), [
    ({"month": "2025-04-15"}, "first day of a month"),
    ({"month": "April"}, "not a date"),
    ({"model_id": "zzz"}, "unknown model"),
    ({"category": "revenue"}, "category 'revenue' must be one of"),
    ({"attribution": "guess"}, "attribution 'guess' must be one of"),
    ({"amount_usd": "lots"}, "not a number"),
    ({"amount_usd": None}, "amount_usd is missing"),
    ({"amount_usd": -5}, "must not be negative"),
    ({"ci_low_usd": 1}, "both ci_low_usd and ci_high_usd"),
    ({"ci_low_usd": 1, "ci_high_usd": 2}, "must contain amount_usd"),
])
def test_bad_rows_are_rejected_and_nothing_is_written(ledger_lake, bad, message):
    before = ledger_lake.con().sql("select count(*) from value_ledger").fetchall()[0][0]
    with pytest.raises(InputError, match=message):
        roi.record_entries(ledger_lake.root, [_entry(), _entry(**bad)], actor="pat")
    assert ledger_lake.con().sql("select count(*) from value_ledger").fetchall()[0][0] == before


def test_csv_upload_round_trip(ledger_lake):
    csv = b"month,model_id,category,amount_usd,attribution,note\n2025-04-01,a,people,300,estimated,=HYPERLINK\n"
    frame = roi.read_entries_csv(csv)
    assert roi.record_entries(ledger_lake.root, frame, actor="pat") == 1
    with pytest.raises(InputError, match="Unknown column"):
        roi.record_entries(ledger_lake.root, roi.read_entries_csv(b"month,model,amount\n2025-01-01,a,1\n"),
                           actor="pat")
    with pytest.raises(InputError, match="no rows"):
        roi.record_entries(ledger_lake.root, [], actor="pat")


def test_a_measured_experiment_line_adds_to_the_main_line_instead_of_replacing_it(lake):
    from datetime import UTC, date, datetime

    from analytics.product import roi as roi_mod

    lake.put("models", [{"model_id": "m", "name": "M", "business_unit": "Retail", "stage": "production",
                         "task": "classification"}])
    base = {"month": date(2026, 1, 1), "model_id": "m", "category": "incremental_revenue"}
    lake.put("value_ledger", [
        {**base, "amount_usd": 1000.0, "attribution": "estimated", "entered_at": datetime(2026, 2, 1, tzinfo=UTC)},
        {**base, "amount_usd": 150.0, "attribution": "measured", "line_item": "experiment:e1",
         "entered_at": datetime(2026, 2, 5, tzinfo=UTC)},
        # a correction of the main line: replaces 1000, leaves the experiment line alone
        {**base, "amount_usd": 900.0, "attribution": "estimated", "entered_at": datetime(2026, 2, 9, tzinfo=UTC)},
    ])
    v = roi_mod.portfolio_value(lake.con(), Scope(date(2026, 1, 1), date(2026, 1, 31)))
    assert v.benefit_usd == 1050.0


def test_forecast_error_reduction_matches_sklearn_through_the_rollup(lake):
    """1 - RMSE(model) / SD(actuals), computed from the performance rollup, equals the same formula
    on the raw rows with scikit-learn and numpy (population SD = RMSE of the always-the-mean forecast)."""
    from datetime import UTC, date, datetime, timedelta

    import numpy as np
    from sklearn.metrics import mean_squared_error

    from analytics.product import roi as roi_mod

    rng = np.random.default_rng(3)
    lake.put("models", [
        {"model_id": "reg", "name": "Reg", "business_unit": "Ops", "stage": "production", "task": "regression"},
        {"model_id": "cls", "name": "Cls", "business_unit": "Ops", "stage": "production",
         "task": "classification"}])
    t0 = datetime(2026, 1, 5, 9, tzinfo=UTC)  # a Monday
    y = np.round(rng.normal(100, 15, 300), 1)
    pred = np.round(y + rng.normal(0, 5, 300), 1)
    preds, outs = [], []
    for i in range(300):
        at = t0 + timedelta(hours=5 * i)
        preds.append({"prediction_at": at, "model_id": "reg", "version": "v1", "request_id": f"r{i}",
                      "score": float(pred[i]), "prediction": float(pred[i])})
        outs.append({"request_id": f"r{i}", "model_id": "reg", "observed_at": at + timedelta(days=2),
                     "label": float(y[i])})
    lake.put("model_versions", [{"model_id": "reg", "version": "v1", "registered_at": t0 - timedelta(days=60),
                                 "train_start_at": t0 - timedelta(days=90), "train_end_at": t0 - timedelta(days=61)}])
    lake.put("predictions", preds)
    lake.put("outcomes", outs)
    lake.refresh()
    got = roi_mod.forecast_error_reduction(lake.con(), Scope(date(2025, 12, 1), date(2026, 3, 31)))
    assert got["model_id"].to_list() == ["reg"]  # classifiers are not forecasts
    row = got.row(0, named=True)
    rmse = mean_squared_error(y, pred) ** 0.5
    assert row["n_labelled"] == 300
    assert row["rmse"] == pytest.approx(rmse, rel=1e-9)
    assert row["sd_actual"] == pytest.approx(np.std(y), rel=1e-9)
    assert row["forecast_error_reduction"] == pytest.approx(1 - rmse / np.std(y), rel=1e-9)
