"""Drift statistics on plain arrays: the numeric core behind ``analytics.drift.compare.compare`` and the
profile-based drift in ``analytics.drift.profiles``.

Every function takes already-cleaned inputs (no nulls, no infinities; numeric arrays sorted where
the name says so) and returns floats. The formulas follow Evidently 0.7's
``evidently.legacy.calculations.stattests`` exactly (same binning, same zero handling), except
``psi`` (see its docstring), so that verdicts are identical; they are written for speed (one sort
per array, no pandas).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

# scipy is imported on first use: declaring rollups (and so opening the lakehouse) imports this
# module, and scipy.stats alone costs ~1.5 s of start-up.


def _stats():
    from scipy import stats

    return stats


def rel_entr(p, q):
    from scipy.special import rel_entr as _rel_entr

    return _rel_entr(p, q)

PSI_BINS = 10
PSI_FLOOR = 1e-4  # proportion used for an empty bin so that log(ref/cur) stays finite
PSI_BANDS = (0.1, 0.25)  # conventional: < 0.1 no shift, 0.1-0.25 moderate, >= 0.25 significant
STD_FLOOR = 0.001  # Evidently's floor for the reference std that norms the Wasserstein distance


# ---------------------------------------------------------------- numeric, exact on raw values

def n_unique_sorted(x: np.ndarray) -> int:
    return 0 if x.size == 0 else int(np.count_nonzero(np.diff(x)) + 1)


def ks(ref: np.ndarray, cur: np.ndarray) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov (two-sided): (statistic D, p-value), via scipy."""
    res = _stats().ks_2samp(ref, cur)
    return float(res.statistic), float(res.pvalue)


def wasserstein_sorted(u: np.ndarray, v: np.ndarray) -> float:
    """First Wasserstein distance between two *sorted* samples (equals scipy's
    ``wasserstein_distance``), in O(n + m) after sorting.

    W1 = integral over t in (0, 1] of |Q_u(t) - Q_v(t)|. The quantile functions are step functions
    with steps at i/n and j/m; on the common grid K / (n m) the steps are the integers i*m and j*n,
    whose merged order is known in closed form, so no second sort or search is needed.
    """
    n, m = u.size, v.size
    if n == m:  # both quantile functions step at i/n: W1 is the mean gap between order statistics
        return float(np.mean(np.abs(u - v)))
    i = np.arange(1, n + 1, dtype=np.int64)
    j = np.arange(1, m + 1, dtype=np.int64)
    ku, kv = i * m, j * n
    ceil_u = -(-ku // n)  # ceil(i m / n)
    floor_v = kv // m
    ceil_v = floor_v + (floor_v * m != kv)
    # position of each step in the merged order (u-steps before equal v-steps)
    pos_u = (i - 1) + (ceil_u - 1)  # (i-1) + #{j : j n < i m}
    pos_v = (j - 1) + floor_v  # (j-1) + #{i : i m <= j n}
    merged = np.empty(n + m, dtype=np.int64)
    merged[pos_u] = ku
    merged[pos_v] = kv
    # on the interval ending at a u-step i*m, Q_u = u[i-1] and Q_v = v[ceil(i m / n) - 1]; likewise for v
    gap = np.empty(n + m, dtype=float)
    gap[pos_u] = np.abs(u - v[ceil_u - 1])
    gap[pos_v] = np.abs(u[ceil_v - 1] - v)
    widths = np.diff(merged, prepend=0)
    return float(np.dot(widths, gap) / (n * m))


def wasserstein_norm(ref_sorted: np.ndarray, cur_sorted: np.ndarray) -> float:
    """Wasserstein distance divided by the reference population std (floored at 0.001), as Evidently."""
    return wasserstein_sorted(ref_sorted, cur_sorted) / max(float(np.std(ref_sorted)), STD_FLOOR)


def sturges_shares(ref: np.ndarray, cur: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shares per bin on Sturges bins over reference and current together (Evidently's binning
    for numeric Jensen-Shannon / PSI when the reference has more than 20 distinct values)."""
    edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
    return np.histogram(ref, edges)[0] / ref.size, np.histogram(cur, edges)[0] / cur.size


# ---------------------------------------------------------------- on counts (raw or profiles)

def jensenshannon(p: Sequence[float], q: Sequence[float]) -> float:
    """Jensen-Shannon distance (natural log) between two count or share vectors (scipy's formula)."""
    p = np.asarray(p, float)
    q = np.asarray(q, float)
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2.0
    js = (rel_entr(p, m).sum() + rel_entr(q, m).sum()) / 2.0
    return float(np.sqrt(max(js, 0.0)))


def chisquare(ref_counts: Sequence[float], cur_counts: Sequence[float]) -> tuple[float, float]:
    """Pearson chi-square of current counts against reference shares scaled to the current size
    (Evidently's ``chisquare``); a category absent from the reference gives p = 0."""
    ref = np.asarray(ref_counts, float)
    obs = np.asarray(cur_counts, float)
    exp = ref * (obs.sum() / ref.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(exp > 0, (obs - exp) ** 2 / np.where(exp > 0, exp, 1.0),
                         np.where(obs > 0, np.inf, 0.0))
    stat = float(terms.sum())
    dof = max(ref.size - 1, 1)
    return stat, float(_stats().chi2.sf(stat, dof)) if math.isfinite(stat) else 0.0


def z_proportions(n_ref: int, x_ref: int, n_cur: int, x_cur: int) -> tuple[float, float]:
    """Two-proportion z-test (pooled), two-sided: x = rows *not* equal to the first (sorted) value."""
    p1, p2 = x_ref / n_ref, x_cur / n_cur
    pooled = (x_ref + x_cur) / (n_ref + n_cur)
    se = math.sqrt(pooled * (1 - pooled) * (1.0 / n_ref + 1.0 / n_cur))
    if se == 0:
        return 0.0, 1.0 if p1 == p2 else 0.0
    z = (p1 - p2) / se
    return z, float(2 * (1 - _stats().norm.cdf(abs(z))))


def psi(ref_counts: Sequence[float], cur_counts: Sequence[float], floor: float = PSI_FLOOR) -> float:
    """Population stability index sum((c - r) ln(c / r)) over shares, empty bins floored at ``floor``.

    Ours differs from Evidently's on purpose: bins are the reference deciles (frozen, so the
    same bins serve every window and the profiles), outer edges are open, nulls have a bin of
    their own, and empty bins take a fixed floor (Evidently bins reference and current together
    with Sturges bins and floors relative to the smallest share).
    """
    r = np.asarray(ref_counts, float)
    c = np.asarray(cur_counts, float)
    r = np.maximum(r / r.sum(), floor)
    c = np.maximum(c / c.sum(), floor)
    return float(np.sum((c - r) * np.log(c / r)))


def hellinger_counts(ref_counts: Sequence[float], cur_counts: Sequence[float]) -> float:
    """Hellinger distance sqrt(1 - sum sqrt(p q)) between two count vectors on the same bins."""
    p = np.asarray(ref_counts, float)
    q = np.asarray(cur_counts, float)
    bc = float(np.sum(np.sqrt((p / p.sum()) * (q / q.sum()))))
    return math.sqrt(1 - min(max(bc, 0.0), 1.0))


def hellinger_numeric(ref: np.ndarray, cur: np.ndarray) -> float:
    """Evidently's numeric Hellinger: density histograms on Sturges bins of the distinct values."""
    keys = np.union1d(ref, cur)
    bins = np.histogram_bin_edges(keys, bins="sturges")
    h1 = np.histogram(ref, bins=bins, density=True)[0]
    h2 = np.histogram(cur, bins=bins, density=True)[0]
    width = (bins.max() - bins.min()) / (len(bins) - 1)
    bc = float(np.sum(np.sqrt(h1 * h2)) * width)
    return math.sqrt(1 - min(max(bc, 0.0), 1.0))


def quantile_edges(ref: np.ndarray, n_bins: int) -> np.ndarray:
    """Inner edges of ``n_bins`` reference quantile bins (duplicates removed); bins are
    (-inf, e1], (e1, e2], ..., (e_last, +inf)."""
    if ref.size == 0:
        return np.array([], float)
    return np.unique(np.quantile(ref, np.arange(1, n_bins) / n_bins))


def bin_counts(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per right-closed bin of ``edges`` with open outer bins (len(edges) + 1 counts)."""
    return np.bincount(np.searchsorted(edges, x, side="left"), minlength=edges.size + 1)
