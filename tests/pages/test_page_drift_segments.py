"""The drift explorer's worst segments and partial dependence on the demo lakehouse: both panels are
drawn in words (no segment codes), and a user scoped to another unit gets neither for a model outside it."""

from __future__ import annotations

import pytest

from apptest import page_path, signed_in


def _open(at, model: str):
    at.query_params["model"] = model
    at.switch_page(page_path("drift"))
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.slow
def test_worst_segments_and_partial_dependence_are_shown(app_env) -> None:
    at = _open(signed_in("data_scientist", timeout=120), "churn_propensity")
    heads = [h.value for h in at.subheader]
    assert "Worst segments" in heads and "How the top inputs move the output" in heads
    frames = [d.value for d in at.dataframe]
    seg = next(f for f in frames if "Segment" in f.columns)
    assert seg["Segment"].str.match(r"^(Team|Country): ").all()  # words, not codes
    assert {"Verdict", "Labelled", "Score shift"} <= set(seg.columns)
    assert seg["Verdict"].str.len().gt(0).all()
    captions = " ".join(c.value for c in at.caption)
    assert "Computed from" in captions or any("No partial dependence" in i.value for i in at.info)
    assert not [e for e in at.error], [e.value for e in at.error]


@pytest.mark.slow
def test_a_regressor_gets_its_error_estimated_before_labels(app_env) -> None:
    """Direct loss estimation on the explorer: a regressor's panel draws the estimated mean absolute
    error beside the realised one (before, only classifiers had the panel)."""
    at = _open(signed_in("data_scientist", timeout=120), "eta_prediction")
    assert "Performance before labels arrive" in [h.value for h in at.subheader]
    said = " ".join([c.value for c in at.caption] + [i.value for i in at.info])
    # the small demo may hold too few labelled weeks to fit the loss model: then the panel says so
    assert "Mean absolute error estimated from the inputs" in said or "to fit the loss model" in said, said
    assert not [e for e in at.error], [e.value for e in at.error]
