from __future__ import annotations

from datetime import date

import polars as pl

from app import charts, fmt


def test_usd():
    assert fmt.usd(1_234_567) == "$1.2M"
    assert fmt.usd(-2_500) == "-$2.5k"
    assert fmt.usd(999) == "$999"
    assert fmt.usd(None) == "–"


def test_delta_by_unit():
    assert fmt.delta("share", 0.42, 0.40) == "+2.0 pts"
    assert fmt.delta("usd", 1_000_000, 1_500_000) == "-$500.0k"
    assert fmt.delta("count", 5, 7) == "-2"
    assert fmt.delta("ratio", None, 1.0) is None
    # ROI is a percentage on every page (tile, tables): 1.52 net return on cost reads 152%
    assert fmt.by_unit("percent", 1.52) == "152%" and fmt.delta("percent", 1.52, 1.2) == "+32.0 pts"


def test_stacked_bars_spec():
    df = pl.DataFrame({"month": [date(2025, 1, 1), date(2025, 1, 1)], "bu": ["A", "B"], "v": [1.0, -2.0]})
    spec = charts.stacked_bars(df, x="month", y="v", color="bu", y_title="Net").to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["color"]["field"] == "bu"
    assert spec["encoding"]["y"]["aggregate"] == "sum"


def test_hbar_colours_negative_values_red():
    df = pl.DataFrame({"bu": ["A", "B"], "v": [1.0, -2.0]})
    spec = charts.hbar(df, x="v", y="bu", x_title="Net").to_dict()
    assert spec["encoding"]["color"]["condition"]["value"] == charts.STATUS_COLORS["drift"]
    assert spec["encoding"]["y"]["sort"] == "-x"


def test_hbar_in_row_order_with_one_colour():
    df = pl.DataFrame({"stage": ["Eligible", "Tried"], "n": [10, 4]})
    spec = charts.hbar(df, x="n", y="stage", x_title="Seats", color_by_sign=False, sort=None).to_dict()
    assert "color" not in spec["encoding"] and spec["mark"]["color"] == charts.PALETTE[0]
    assert spec["encoding"]["y"].get("sort") is None


def test_over_time_is_one_layer_per_mark_and_colours_series():
    df = pl.DataFrame({"month": [date(2025, 1, 1), date(2025, 2, 1)], "m": ["A", "B"], "v": [1.0, 2.0],
                       "unused": [0, 0]})
    for mark in ("line", "area", "bar"):
        spec = charts.over_time(df, x="month", y="v", y_title="Value", mark=mark).to_dict()
        assert spec["mark"]["type"] == mark and "layer" not in spec
        assert spec["encoding"]["x"]["type"] == "temporal" and spec["encoding"]["y"]["title"] == "Value"
        assert "color" not in spec["encoding"]
        assert all("unused" not in row for row in spec["datasets"][spec["data"]["name"]])
    series = charts.over_time(df, x="month", y="v", y_title="Value", color="m").to_dict()
    assert series["encoding"]["color"]["field"] == "m" and "color" not in series["mark"]


def test_month_heatmap_rows_per_series_on_a_fixed_scale():
    df = pl.DataFrame({"month": [date(2025, 1, 1), date(2025, 2, 1), date(2025, 1, 1)], "name": ["A", "A", "B"],
                       "r": [4.5, 2.0, 3.0], "n": [3, 1, 2]})
    spec = charts.month_heatmap(df, x="month", y="name", value="r", count="n", value_title="Rating",
                                domain=(1, 5)).to_dict()
    assert spec["mark"]["type"] == "rect"
    assert spec["encoding"]["y"]["field"] == "name" and spec["encoding"]["x"]["timeUnit"] == "yearmonth"
    assert spec["encoding"]["color"]["scale"]["domain"] == [1, 5]
    assert [t["field"] for t in spec["encoding"]["tooltip"]][-1] == "n"


def test_headline_splits_a_verdict_for_a_tile():
    assert fmt.headline("Not enough data yet (< 2,000 units per arm)") == ("Not enough data yet",
                                                                            "< 2,000 units per arm")
    assert fmt.headline("Sample ratio mismatch: do not trust") == ("Sample ratio mismatch", "do not trust")
    assert fmt.headline("Winner") == ("Winner", None)


def test_column_labels_for_people():
    from app.ui import label

    assert label("dataset_id") == "Dataset"
    assert label("cost_usd") == "Cost ($)"
    assert label("opened_at") == "Opened"
    assert label("n_rows") == "Rows"
    assert label("share_null_ref") == "Share null ref"
    assert label("status") == "Status"


def test_counts_get_thousands_separators_and_keep_their_labels():
    import streamlit as st

    from app.ui import auto_config

    df = pl.DataFrame({"n_users": [12603], "n_runs": [7400437], "year": [2026], "share": [0.5],
                       "n_ratio": [0.5]})
    cfg = auto_config(df, {"n_runs": st.column_config.Column("Model runs"),
                           "share": st.column_config.NumberColumn("Share", format="percent")})
    assert cfg["n_users"]["type_config"]["format"] == "localized" and cfg["n_users"]["label"] == "Users"
    assert cfg["n_runs"]["type_config"]["format"] == "localized" and cfg["n_runs"]["label"] == "Model runs"
    assert not cfg["year"].get("type_config")  # not a count: no separators ("2,026")
    assert cfg["share"]["type_config"]["format"] == "percent"
    assert not cfg["n_ratio"].get("type_config")  # a float named n_: left alone
