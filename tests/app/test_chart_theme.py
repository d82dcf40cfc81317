"""One chart theme: status colours keep WCAG AA contrast on white and on the dark background, and every
chart builder (charts, drift_charts, quality_charts) draws with the theme's font and colours only."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import cache

import polars as pl
import pytest

from app import charts, drift_charts, quality_charts


def luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour "#rrggbb"."""
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_matches_published_ratios():
    # black on white is 21:1; #767676 is the lightest grey with 4.5:1 on white, #777777 just misses
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#777777", "#ffffff") < 4.5


@pytest.mark.parametrize("status", sorted(charts.STATUS_COLORS))
def test_status_colours_keep_aa_contrast_on_light_and_dark(status):
    colour = charts.STATUS_COLORS[status]
    # 4.5:1 on white (AA even for text); 3:1 on the dark theme (AA for graphics, SC 1.4.11)
    assert contrast(colour, charts.LIGHT_BACKGROUND) >= 4.5, colour
    assert contrast(colour, charts.DARK_BACKGROUND) >= 3.0, colour


@pytest.mark.parametrize("colour", charts.PALETTE)
def test_series_colours_stand_out_on_both_backgrounds(colour):
    assert contrast(colour, charts.LIGHT_BACKGROUND) >= 3.0 and contrast(colour, charts.DARK_BACKGROUND) >= 3.0


@pytest.mark.parametrize("status", sorted(charts.STATUS_BACKGROUNDS))
def test_tinted_status_cells_carry_readable_text(status):
    from app.drift_view import status_cell_css

    css = status_cell_css(status)
    assert charts.STATUS_BACKGROUNDS[status] in css and charts.STATUS_TEXT in css
    assert contrast(charts.STATUS_TEXT, charts.STATUS_BACKGROUNDS[status]) >= 4.5
    assert status_cell_css(12.5) == "" and status_cell_css("Feature") == ""


@cache
def _every_chart() -> dict[str, object]:
    months = [date(2026, 1, 1), date(2026, 2, 1)]
    weeks = [datetime(2026, 1, 5), datetime(2026, 1, 12)]
    hist = pl.DataFrame({"week_start": weeks, "feature": ["x", "x"], "method": ["psi", "psi"],
                         "statistic": [0.05, 0.3], "status": ["ok", "drift"]})
    perf = pl.DataFrame({
        "week_start": weeks, "metric": ["auc", "auc"], "value": [0.8, 0.6], "band_low": [0.7, 0.7],
        "band_high": [0.9, 0.9], "breach": [False, True], "n_labelled": [10, 10], "is_provisional": [False, True],
        "band_source": ["the 8 weeks after training", "the 8 weeks after training"]})
    return {
        "stacked_bars": charts.stacked_bars(pl.DataFrame({"m": months, "bu": ["A", "B"], "v": [1.0, -2.0]}),
                                            x="m", y="v", color="bu", y_title="Net"),
        "hbar": charts.hbar(pl.DataFrame({"k": ["A", "B"], "v": [1.0, -2.0]}), x="v", y="k", x_title="Net"),
        "over_time": charts.over_time(pl.DataFrame({"m": months, "v": [1.0, 2.0], "s": ["a", "b"]}),
                                      x="m", y="v", y_title="V", color="s"),
        "month_heatmap": charts.month_heatmap(pl.DataFrame({"m": months, "k": ["a", "a"], "v": [1.0, 4.0]}),
                                              x="m", y="k", value="v", value_title="V", domain=(1, 5)),
        "overlay": drift_charts.overlay(pl.DataFrame({"bin": [0, 0], "label": ["a", "a"], "share": [0.4, 0.6],
                                                      "window": ["reference", "current"]}), "x"),
        "history": drift_charts.history(hist, 0.1, "psi"),
        "heatmap": drift_charts.heatmap(hist),
        "performance": drift_charts.performance(perf, "auc"),
        "estimated": drift_charts.estimated(pl.DataFrame({
            "week_start": weeks, "est_auc": [0.8, 0.7], "est_auc_lower": [0.7, 0.6], "est_auc_upper": [0.9, 0.8]}),
            perf, "auc"),
        "dependence": drift_charts.dependence(pl.DataFrame({
            "feature": ["x", "x"], "rank": [1, 1], "grid_value": [0.0, 1.0], "average": [0.2, 0.4],
            "ref_low": [0.1, 0.1], "ref_high": [0.9, 0.9]})),
        "check_trends": quality_charts.check_trends(pl.DataFrame({
            "day": months, "check_id": ["c", "c"], "check_kind": ["volume", "volume"], "metric_value": [1.0, 0.2],
            "status": ["pass", "fail"], "warn_threshold": [0.5, 0.5], "fail_threshold": [0.3, 0.3]})),
        "domain_health": quality_charts.domain_health(pl.DataFrame({"domain": ["d"], "n_pass": [3], "n_warn": [1],
                                                                    "n_fail": [1]})),
        "disparate_impact": quality_charts.disparate_impact(pl.DataFrame({
            "window_end_at": weeks, "group_value": ["f", "f"], "disparate_impact": [0.9, 0.7], "n": [50, 50]})),
    }


THEME_COLOURS = {c.lower() for c in (*charts.PALETTE, *charts.STATUS_COLORS.values(), charts.PRIMARY, charts.NEUTRAL,
                                            charts.LIGHT_TEXT, charts.DARK_TEXT)}


BUILDERS = ("stacked_bars", "hbar", "over_time", "month_heatmap", "overlay", "history", "heatmap", "performance",
            "estimated", "dependence", "check_trends", "domain_health", "disparate_impact")


def test_every_builder_is_covered():
    import inspect

    built = {n for m in (charts, drift_charts, quality_charts) for n, f in inspect.getmembers(m, inspect.isfunction)
             if f.__module__ == m.__name__ and inspect.signature(f).return_annotation in ("alt.Chart",)}
    assert built <= set(BUILDERS) and set(_every_chart()) == set(BUILDERS)


@pytest.mark.parametrize("name", BUILDERS)
def test_every_builder_draws_in_the_theme(name):
    spec = _every_chart()[name].to_dict()
    assert spec["config"]["font"] == charts.FONT
    assert spec["config"]["range"]["category"] == charts.PALETTE
    used = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", json.dumps({k: v for k, v in spec.items()
                                                                              if k != "datasets"}))}
    assert used <= THEME_COLOURS, f"{name} uses colours outside the theme: {used - THEME_COLOURS}"


def test_status_scales_use_the_status_colours():
    heat = _every_chart()["heatmap"].to_dict()
    scale = heat["encoding"]["color"]["scale"]
    assert scale["domain"] == ["ok", "warning", "drift"]
    assert scale["range"] == [charts.STATUS_COLORS[s] for s in ("ok", "warning", "drift")]
    health = _every_chart()["domain_health"].to_dict()["encoding"]["color"]["scale"]
    assert health["range"] == [charts.STATUS_COLORS[s] for s in ("pass", "warn", "fail")]
