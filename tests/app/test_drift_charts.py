"""The drift explorer's chart builders, through ``chart.to_dict()``: bins in order, every heat map
row labelled, the performance band says which weeks made it and provisional weeks stand apart."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from app import drift_charts


def test_heatmap_labels_every_row() -> None:
    features = [f"feature_with_a_long_name_{i:02d}" for i in range(30)]
    hist = pl.DataFrame({"feature": [f for f in features for _ in range(3)],
                         "week_start": [date(2026, 1, 5) + timedelta(weeks=k) for _ in features for k in range(3)],
                         "method": "wasserstein", "statistic": 0.05, "status": "ok", "psi": 0.01, "n": 100})
    spec = drift_charts.heatmap(hist).to_dict()
    y = spec["encoding"]["y"]
    assert y["axis"]["labelOverlap"] is False and y["axis"]["labelLimit"] == 0  # never dropped or cut
    assert y["sort"] == sorted(features)
    assert spec["height"] == {"step": 22}  # the chart grows with the rows; before: a fixed height


def test_overlay_keeps_the_bins_in_their_real_order() -> None:
    labels = ["≤ 2", "2 – 10", "10 – 100", "> 100"]  # alphabetical order would be 10, 2, >, ≤
    dist = pl.DataFrame({"bin": [0, 1, 2, 3] * 2, "label": labels * 2, "window": ["reference"] * 4 + ["current"] * 4,
                         "share": [0.25] * 8})
    assert drift_charts.overlay(dist, "amount").to_dict()["encoding"]["x"]["sort"] == labels


def test_performance_chart_names_its_band_weeks_and_marks_provisional_weeks() -> None:
    weeks = [date(2026, 1, 5) + timedelta(weeks=k) for k in range(4)]
    perf = pl.DataFrame({"week_start": weeks, "metric": "auc", "value": [0.8, 0.81, 0.6, 0.2],
                         "n_labelled": [300, 300, 300, 20], "n_predicted": [300] * 4,
                         "is_provisional": [False, False, False, True], "is_reference": [True, True, False, False],
                         "ref_mean": 0.8, "band_low": 0.77, "band_high": 0.83,
                         "band_source": "8 weeks after the training window, 5 Jan 2026 – 1 Mar 2026",
                         "breach": [False, False, True, False]})
    spec = drift_charts.performance(perf, "auc").to_dict()
    assert spec["title"]["text"] == "AUC per week"
    assert spec["title"]["subtitle"] == "Band from 8 weeks after the training window, 5 Jan 2026 – 1 Mar 2026"
    data = next(iter(spec["datasets"].values()))
    assert [r["judged"] for r in data] == ["within the band", "within the band", "outside the band",
                                           "provisional (labels still to come)"]
    # a provisional point is hollow (no fill) but keeps a ring in its status colour, so it is seen
    points = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    assert points["encoding"]["stroke"]["field"] == "judged"
    assert points["encoding"]["stroke"]["scale"] == points["encoding"]["color"]["scale"]
    # on paper the band note wraps instead of widening the chart
    wrapped = drift_charts.performance(perf, "auc", subtitle_chars=40).to_dict()["title"]["subtitle"]
    assert " ".join(wrapped) == spec["title"]["subtitle"] and max(map(len, wrapped)) <= 40
