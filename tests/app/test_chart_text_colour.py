"""Chart text follows the active theme: in the light theme axis, legend and title text is a grey with AA
contrast on white (Streamlit's own, #808495, has 3.7:1); in the dark theme a light one with AA on the
dark background (a subtitle would otherwise be black); outside a running app Streamlit's own."""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl
import pytest
import streamlit as st
from test_chart_theme import contrast

from app import charts


def _chart():
    return charts.hbar(pl.DataFrame({"bu": ["A", "B"], "v": [1.0, -2.0]}), x="v", y="bu", x_title="Value")


def test_light_text_keeps_aa_on_white_and_stays_legible_on_dark():
    assert contrast(charts.LIGHT_TEXT, charts.LIGHT_BACKGROUND) >= 4.5
    assert contrast(charts.LIGHT_TEXT, "#f4f6fa") >= 4.5  # the secondary background of panels
    assert contrast(charts.LIGHT_TEXT, charts.DARK_BACKGROUND) >= 3.0  # should the theme be misread
    assert contrast("#808495", charts.LIGHT_BACKGROUND) < 4.5  # why Streamlit's own grey is replaced
    assert contrast(charts.DARK_TEXT, charts.DARK_BACKGROUND) >= 4.5


@pytest.mark.parametrize(("kind", "expected"), [("light", charts.LIGHT_TEXT), ("dark", charts.DARK_TEXT),
                                                   (None, None)])
def test_chart_text_follows_the_active_theme(monkeypatch, kind, expected):
    monkeypatch.setattr(st, "context", SimpleNamespace(theme=SimpleNamespace(type=kind)))
    config = _chart().to_dict()["config"]
    assert config["axis"].get("labelColor") == expected and config["axis"].get("titleColor") == expected
    assert config["legend"].get("labelColor") == expected
    assert config.get("title", {}).get("subtitleColor") == expected


def test_outside_a_running_app_streamlits_colour_is_kept():
    assert charts.text_colour() is None
    assert "labelColor" not in _chart().to_dict()["config"]["axis"]
