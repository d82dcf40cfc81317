"""Which drift rows are judged: below these sizes a distance between two samples is mostly
sampling noise, so the explorer shows the row and no alert is raised (docs/drift.md)."""

from __future__ import annotations

# on 9 reference rows the normed Wasserstein distance of two draws of one distribution is ~0.4
MIN_REF_ROWS = 500  # non-null values of the feature in the reference window
MIN_CUR_ROWS = 200  # non-null values in the current window (an all-missing feature is still judged)


def too_small(n_ref: int | None, n_cur: int | None, statistic: float | None = 0.0) -> str | None:
    """Why a drift row is not judged ("reference too small (n=9)"), or None when it is."""
    if (n_ref or 0) < MIN_REF_ROWS:
        return f"reference too small (n={n_ref or 0:,}; an alert needs {MIN_REF_ROWS:,})"
    if statistic is not None and (n_cur or 0) < MIN_CUR_ROWS:
        return f"current window too small (n={n_cur or 0:,}; an alert needs {MIN_CUR_ROWS:,})"
    return None


# segments (drift.segments): a team's or country's metric on fewer labels is mostly noise (the AUC of
# 100 labels with a 10% positive rate has a standard error near 0.05), so it gets no verdict
MIN_SEGMENT_LABELLED = 100
SEGMENT_AUC_DROP = 0.05  # a segment this far below the model's AUC is called worse
SEGMENT_MAE_RATIO = 1.2  # a segment whose mean absolute error is 20% above the model's is called worse
