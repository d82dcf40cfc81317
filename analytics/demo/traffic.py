"""Streamed, vectorised generation of the big tables: predictions, outcomes, features, usage_events.

Volume per (day, model) follows adoption: ``active users x requests per user x weekday factor``,
allocated exactly (largest remainder) so the totals are the requested sizes. Rows are produced in
chunks of at most ``chunk_size`` inside one calendar month, chronologically, and handed to the
``Sink`` as soon as they exist, so memory stays bounded whatever the total.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from analytics.demo.enterprise import MODELS, USAGE_EVENT_MIX, Feature
from analytics.demo.org import Org
from analytics.demo.sink import Sink
from analytics.demo.story import US_PER_DAY, Story, to_us

TS = pa.timestamp("us", tz="UTC")
US_PER_HOUR = 3_600_000_000
US_PER_MINUTE = 60_000_000
# share of requests per hour of day (UTC): a working-day curve with a long tail
HOURLY = np.array([1, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 9, 8, 9, 10, 10, 9, 7, 5, 4, 3, 2, 2, 1], float)
HOUR_CDF = np.cumsum(HOURLY) / HOURLY.sum()
LOOKUP = 4096  # inverse-CDF lookup tables: one multiply and a gather instead of a binary search
HOUR_OF = np.searchsorted(HOUR_CDF, (np.arange(LOOKUP) + 0.5) / LOOKUP, side="right").astype(np.int64)


def draw(rng: np.random.Generator, probs, n: int) -> np.ndarray:
    """``n`` category indices with probabilities ``probs`` (resolution 1/4096)."""
    table = np.searchsorted(np.cumsum(probs)[:-1], (np.arange(LOOKUP) + 0.5) / LOOKUP, side="right")
    return table.astype(np.int32)[(rng.random(n) * LOOKUP).astype(np.int32)]
OUTCOME_SHARE = 0.22
VERSIONS = pa.array([f"v{i}" for i in range(1, 10)])

# request ids "r" + 15 digits, assembled from 4-byte lookup words (no per-row Python)
_W3 = np.array([int.from_bytes(f"r{i:03d}".encode(), "little") for i in range(1000)], np.uint32)
_W4 = np.array([int.from_bytes(f"{i:04d}".encode(), "little") for i in range(10_000)], np.uint32)


def request_ids(start: int, n: int) -> pa.StringArray:
    """``r000000000000001``-style ids for the consecutive numbers ``start .. start+n-1``."""
    x = np.arange(start, start + n, dtype=np.int64)
    words = np.empty((n, 4), np.uint32)
    for col in (3, 2, 1):
        x, r = np.divmod(x, 10_000)
        words[:, col] = _W4[r]
    words[:, 0] = _W3[x]
    offsets = np.arange(0, 16 * (n + 1), 16, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(words))


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer counts proportional to a [day, model] weight matrix, summing exactly to ``total``.

    Systematic rounding over the model-major cumulative share: every cell gets the floor or the
    ceiling of its exact share, each model's total is within one of its exact share, and models
    whose cells are each worth less than one row still get their rows (plain largest-remainder
    rounding would starve them at small sizes).
    """
    w = np.asarray(weights, float)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(w.shape, np.int64)
    flat = w.T.ravel()
    edges = np.floor(np.cumsum(flat) * (total / flat.sum()) + 0.5).astype(np.int64)
    edges[-1] = total
    counts = np.diff(edges, prepend=0)
    return counts.reshape(w.shape[::-1]).T.copy() if w.ndim == 2 else counts


def chunks(counts: np.ndarray, month_of_day: np.ndarray, chunk_size: int
           ) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """Split a [day, model] count matrix into chunks (month, days, models, counts) of at most
    ``chunk_size`` rows each, month by month, day-major (chronological)."""
    n_days, n_models = counts.shape
    for month in range(int(month_of_day.max()) + 1):
        days = np.flatnonzero(month_of_day == month)
        c = counts[days].ravel()
        total = int(c.sum())
        if total == 0:
            continue
        d = np.repeat(days, n_models)
        m = np.tile(np.arange(n_models), len(days))
        n_chunks = -(-total // chunk_size)
        hi_cum = np.cumsum(c)
        lo_cum = hi_cum - c
        bounds = [round(total * j / n_chunks) for j in range(n_chunks + 1)]
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            part = np.clip(np.minimum(hi_cum, hi) - np.maximum(lo_cum, lo), 0, None)
            keep = part > 0
            yield month, d[keep], m[keep], part[keep]


@dataclass
class Context:
    """Per-run lookups shared by every chunk (all small)."""

    story: Story
    org: Org
    seed: int
    model_ids: pa.Array
    users: pa.Array
    teams: pa.Array
    countries: pa.Array
    user_team: np.ndarray
    team_country: np.ndarray
    flat_users: np.ndarray  # adopters of all models, concatenated, each model sorted by adoption
    user_offset: np.ndarray  # per model, start in flat_users
    is_cls: np.ndarray
    base_rate: np.ndarray
    level: np.ndarray
    latency_median: np.ndarray
    separation: np.ndarray  # [model, day]: signal strength (AUC = Phi(sep / sqrt 2))
    season: np.ndarray  # [day]: seasonal wave in [-1, 1] peaking in July
    seasonal: np.ndarray  # [model]: 1.0 when the model's target follows the seasons (a temperature input)
    month_starts_us: np.ndarray
    month_names: list[str]
    feature_names: pa.Array
    feature_index: dict[str, int]
    categories: pa.Array
    category_offset: dict[tuple[str, str], int]
    feature_share: float
    end_us: int


def make_context(story: Story, org: Org, seed: int, *, predictions: int, counts: np.ndarray,
                 feature_rows: int | None) -> Context:
    rng = np.random.default_rng([seed, 2])
    n_models = len(MODELS)
    flat = np.concatenate(org.adopt_users) if org.adopt_users else np.zeros(0, np.int64)
    offs = np.concatenate([[0], np.cumsum([len(a) for a in org.adopt_users])[:-1]])
    sep = np.repeat(rng.uniform(1.25, 1.9, n_models)[:, None], story.n_days, axis=1)
    ids = [m.model_id for m in MODELS]
    b = ids.index("basket_recommender")
    sep[b, max(story.day(story.drift_start), 0):] = 0.55  # the regime change persists: AUC stays low
    c = ids.index("churn_propensity")
    sep[c, story.day(story.churn_drift_from):] = 0.6
    season = season_of(story, np.arange(story.n_days))
    fnames, cats, cat_off = [], [], {}
    for m in MODELS:
        for f in m.features:
            if f.name not in fnames:
                fnames.append(f.name)
            if f.dist == "cat" and (f.name, f.cats) not in cat_off:
                cat_off[(f.name, f.cats)] = len(cats)
                cats.extend(f.cats)
    n_feat = np.array([len(m.features) for m in MODELS])
    all_rows = float((counts.sum(axis=0) * n_feat).sum())
    if feature_rows is None:
        feature_rows = int(min(all_rows, min(predictions, 1_000_000) * n_feat.mean()))
    months = story.months()
    return Context(
        story=story, org=org, seed=seed, model_ids=pa.array(ids), users=pa.array(org.user_ids),
        teams=pa.array(org.team_names), countries=pa.array(sorted(set(org.team_country))),
        user_team=org.user_team.astype(np.int32),
        team_country=np.array([sorted(set(org.team_country)).index(c) for c in org.team_country], np.int32),
        flat_users=flat.astype(np.int32), user_offset=offs.astype(np.int64),
        is_cls=np.array([m.task == "classification" for m in MODELS]),
        base_rate=np.array([m.base_rate for m in MODELS]), level=np.array([m.level for m in MODELS]),
        latency_median=rng.uniform(12, 160, n_models), separation=sep, season=season,
        seasonal=np.array([any(f.name == "temperature" for f in m.features) for m in MODELS], float),
        month_starts_us=np.array([to_us(d) for d in months] + [story.end_us], np.int64),
        month_names=[f"{d:%Y-%m}" for d in months],
        feature_names=pa.array(fnames), feature_index={n: i for i, n in enumerate(fnames)},
        categories=pa.array(cats), category_offset=cat_off,
        feature_share=min(1.0, feature_rows / all_rows) if all_rows else 0.0, end_us=story.end_us,
    )


def volume_weights(story: Story, org: Org, *, per_user_rate: bool) -> np.ndarray:
    """[day, model] expected-volume weights: active users x rate x weekday factor."""
    weekday = np.array([story.date_of(i).weekday() for i in range(story.n_days)])
    weekend = weekday >= 5
    w = org.active.astype(float)
    for m, spec in enumerate(MODELS):
        factor = np.where(weekend, 0.9 if spec.always_on else 0.3, 1.0)
        w[:, m] *= factor * (spec.rate if per_user_rate else 1.0)
    return w


def _rows(ctx: Context, rng: np.random.Generator, days, models, counts):
    """Row-level basics for a chunk, in time order: (ts_us, day, model, user, cell).

    No comparison sort: rows are ordered by (day, minute) with numpy's radix sort on a 16-bit key
    (a chunk spans at most one month = 44,640 minutes), and the offsets inside each minute are
    drawn already sorted (normalised cumulative sums of exponential gaps = uniform order statistics).
    """
    cell = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
    n = len(cell)
    first = int(days.min())
    minute = HOUR_OF[(rng.random(n) * LOOKUP).astype(np.int32)] * 60 + (rng.random(n) * 60).astype(np.int64)
    key = ((days[cell] - first) * 1440 + minute).astype(np.uint16)
    order = np.argsort(key, kind="stable")
    key, cell = key[order], cell[order]
    new = np.empty(n, bool)
    new[0] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, n))
    gaps = rng.standard_exponential(n)
    cum = np.cumsum(gaps)
    base = cum[starts] - gaps[starts]
    total = cum[starts + sizes - 1] - base + rng.standard_exponential(len(starts))
    frac = (cum - np.repeat(base, sizes)) / np.repeat(total, sizes)
    ts = (ctx.story.start_us + (first * 1440 + key.astype(np.int64)) * US_PER_MINUTE
          + (frac * US_PER_MINUTE).astype(np.int64))
    day, model = days[cell], models[cell]
    k = ctx.org.active[days, models][cell]  # per-cell lookups, then one cheap gather per row
    # early adopters use a model more: skew the pick towards the front of the adoption order
    pick = (rng.random(n) ** 1.7 * k).astype(np.int64)
    user = ctx.flat_users[ctx.user_offset[model] + np.minimum(pick, k - 1)]
    return ts, day, model, user, cell


def _dict(indices: np.ndarray, dictionary: pa.Array, mask: np.ndarray | None = None) -> pa.DictionaryArray:
    idx = pa.array(indices.astype(np.int32), mask=mask)
    return pa.DictionaryArray.from_arrays(idx, dictionary)


def _ts(us: np.ndarray) -> pa.Array:
    return pa.array(us, TS)


def prediction_chunk(ctx: Context, sink: Sink, chunk_no: int, first_id: int, month: int,
                     days: np.ndarray, models: np.ndarray, counts: np.ndarray) -> None:
    rng = np.random.default_rng([ctx.seed, 10, chunk_no])
    ts, day, model, user, cell = _rows(ctx, rng, days, models, counts)
    n = len(ts)
    team = ctx.user_team[user]
    rid = request_ids(first_id, n)
    version = (ctx.org.version_of_day[models, days].astype(np.int32) - 1)[cell]
    is_cls = ctx.is_cls[model]
    # classifiers: label ~ Bernoulli(base rate); score logit = signal * label + noise
    label = (rng.random(n) < ctx.base_rate[model]).astype(np.float64)
    sep = ctx.separation[models, days][cell]
    br = ctx.base_rate[model]
    logit = np.log(br / (1 - br)) - sep * br + sep * label + rng.standard_normal(n)
    gender = draw(rng, (0.48, 0.50, 0.02), n)  # used by the credit model only
    credit = model == MODELS_IDX["credit_risk_scoring"]
    logit = logit + np.where(credit & (gender == 0), 0.3, 0.0)  # a fairness issue to find
    cls_score = 1 / (1 + np.exp(-logit))
    # predictive maintenance scores its logged inputs (the seasonal story, see ``maintenance_risk``):
    # its own stream, so every other model's rows stay as they were
    pm_rows = np.flatnonzero(model == PM)
    pm_values = None
    if len(pm_rows):
        prng = np.random.default_rng([ctx.seed, 11, chunk_no])
        pm_values = {f.name: _feature_values(ctx, prng, MODELS[PM].model_id, f, day[pm_rows], gender[pm_rows])
                     for f in MODELS[PM].features}
        risk = maintenance_risk({k: v for k, (v, _cat) in pm_values.items()})
        label[pm_rows] = (prng.random(len(pm_rows)) < risk).astype(np.float64)
        cls_score[pm_rows] = risk  # the model is calibrated on its (winter) training data
    # regressors: value around the model's level (with a seasonal wave for the weather-driven ones:
    # the others are stationary, so their prediction drift stays quiet); label = value + noise
    level = ctx.level[model] * (1 + 0.15 * ctx.season[day] * ctx.seasonal[model])
    value = level * rng.lognormal(0, 0.25, n)
    reg_label = value + rng.normal(0, 0.18, n) * level
    score = np.where(is_cls, np.round(cls_score, 4), np.round(value, 3))
    prediction = np.where(is_cls, (score >= 0.5).astype(np.float64), score)
    latency = np.round(rng.lognormal(np.log(ctx.latency_median[model]), 0.45), 1)
    mname = ctx.month_names[month]
    sink.write("predictions", pa.table({
        "prediction_at": _ts(ts), "model_id": _dict(model, ctx.model_ids), "version": _dict(version, VERSIONS),
        "request_id": rid, "user_id": _dict(user, ctx.users), "team": _dict(team, ctx.teams),
        "country": _dict(ctx.team_country[team], ctx.countries), "score": score, "prediction": prediction,
        "latency_ms": latency,
    }), mname)

    # outcomes: delayed ground truth (3-30 days later) for a share of requests, none after `end`
    picked = rng.random(n) < OUTCOME_SHARE
    observed_all = np.zeros(n, np.int64)
    observed_all[picked] = ts[picked] + ((3 + 27 * rng.random(int(picked.sum()))) * US_PER_DAY).astype(np.int64)
    if len(pm_rows):  # predictive maintenance's extra labels from its own stream (others stay as they were)
        extra = pm_rows[~picked[pm_rows] & (prng.random(len(pm_rows)) < (PM_OUTCOME_SHARE - OUTCOME_SHARE)
                                           / (1 - OUTCOME_SHARE))]
        picked[extra] = True
        observed_all[extra] = ts[extra] + ((3 + 27 * prng.random(len(extra))) * US_PER_DAY).astype(np.int64)
    sel = np.flatnonzero(picked)
    observed = observed_all[sel]
    keep = observed < ctx.end_us
    sel, observed = sel[keep], observed[keep]
    out_label = np.where(is_cls[sel], label[sel], np.round(reg_label[sel], 3))
    out_month = np.searchsorted(ctx.month_starts_us, observed, side="right") - 1
    for om in np.unique(out_month):
        part = out_month == om
        rows = sel[part]
        sink.write("outcomes", pa.table({
            "request_id": rid.take(pa.array(rows)), "model_id": _dict(model[rows], ctx.model_ids),
            "observed_at": _ts(observed[part]), "label": out_label[part],
        }), ctx.month_names[om])

    # features (long format) for a sample of requests
    fsel = np.flatnonzero(rng.random(n) < ctx.feature_share)
    if len(fsel):
        _features(ctx, sink, rng, mname, ts, day, model, version, rid, gender, fsel, (pm_rows, pm_values))


MODELS_IDX = {m.model_id: i for i, m in enumerate(MODELS)}
PM = MODELS_IDX["predictive_maintenance"]
PM_OUTCOME_SHARE = 0.8  # a machine's failure (or not) within 7 days is nearly always recorded, late


def maintenance_risk(values: dict[str, np.ndarray]) -> np.ndarray:
    """P(failure within 7 days) of predictive maintenance from its inputs, which is also its score.

    Vibration is the signal (with hours since service and load); bearings above ~68 C expand and
    mask the vibration signature, so the same inputs separate failures less well. Bearing
    temperature follows the seasons (``_feature_values``) and the model trained on winter data: in
    summer the scores crowd towards the base rate and the AUC falls (0.88 until late April, 0.6 from mid-June,
    falling by about 0.05 a week in between), visible in the scores at once and in the labels weeks later.
    """
    v = (np.nan_to_num(values["vibration_rms"], nan=2.1) - 2.1) / 0.6
    h = (np.nan_to_num(values["hours_since_service"], nan=300.0) - 300.0) / np.sqrt(300.0)
    load = (np.nan_to_num(values["load_pct"], nan=0.7) - 0.7) / 0.12
    k = 0.15 + 0.85 / (1 + np.exp((np.nan_to_num(values["bearing_temp"], nan=61.0) - 68.0) / 0.6))
    return 1 / (1 + np.exp(2.3 - k * (1.9 * v + 0.7 * h + 0.5 * load)))


def _features(ctx, sink, rng, mname, ts, day, model, version, rid, gender, fsel, scored=None) -> None:
    """Log the sampled rows' features; ``scored`` = (rows, values per feature) drawn earlier for a model
    whose score depends on them (those values are logged instead of fresh draws)."""
    fsel = fsel[np.argsort(model[fsel], kind="stable")]
    fm = model[fsel]
    parts = {k: [] for k in ("row", "feature", "num", "cat", "cat_null")}
    bounds = np.searchsorted(fm, np.arange(len(MODELS) + 1))
    for m in range(len(MODELS)):
        rows = fsel[bounds[m]:bounds[m + 1]]
        if not len(rows):
            continue
        for f in MODELS[m].features:
            num, cat = _feature_values(ctx, rng, MODELS[m].model_id, f, day[rows], gender[rows])
            if scored is not None and scored[1] is not None and m == PM:  # drawn anyway: same stream
                pos = np.searchsorted(scored[0], rows)
                num, cat = (None if x is None else x[pos] for x in scored[1][f.name])
            parts["row"].append(rows)
            parts["feature"].append(np.full(len(rows), ctx.feature_index[f.name], np.int32))
            if cat is None:
                parts["num"].append(num)
                parts["cat"].append(np.zeros(len(rows), np.int32))
                parts["cat_null"].append(np.ones(len(rows), bool))
            else:
                parts["num"].append(np.full(len(rows), np.nan))
                parts["cat"].append(cat + ctx.category_offset[(f.name, f.cats)])
                parts["cat_null"].append(np.zeros(len(rows), bool))
    row = np.concatenate(parts["row"])
    take = pa.array(row)
    sink.write("features", pa.table({
        "feature_at": _ts(ts[row]), "model_id": _dict(model[row], ctx.model_ids),
        "version": _dict(version[row], VERSIONS), "request_id": rid.take(take),
        "feature": _dict(np.concatenate(parts["feature"]), ctx.feature_names),
        "value_num": pa.array(np.concatenate(parts["num"]), from_pandas=True),
        "value_cat": _dict(np.concatenate(parts["cat"]), ctx.categories, np.concatenate(parts["cat_null"])),
    }), mname)


def _feature_values(ctx: Context, rng, model_id: str, f: Feature, day: np.ndarray, gender: np.ndarray):
    """(numeric values with NaN for nulls, None) or (None, category indices) for one feature."""
    n = len(day)
    story = ctx.story
    if f.dist == "cat":
        if f.name == "gender" and model_id == "credit_risk_scoring":
            return None, gender.astype(np.int32)  # the same draw that shaped the score
        return None, draw(rng, f.probs, n)
    a, b = f.a, f.b
    if f.name in ("temperature", "bearing_temp"):  # seasonal: summer is warmer than winter
        inside = (day >= 0) & (day < story.n_days)
        season = ctx.season[np.clip(day, 0, story.n_days - 1)] if inside.all() else season_of(story, day)
        a = a + (10 if f.name == "temperature" else 14) * season
    if f.dist == "normal":
        v = rng.normal(a, b, n)
    elif f.dist == "lognormal":
        mu = np.full(n, a)
        sigma = np.full(n, b)
        if f.name == "monthly_spend":
            late = day >= story.day(story.churn_drift_from)
            mu[late] += 0.45
            sigma[late] = b * 1.35
        v = np.exp(mu + sigma * rng.standard_normal(n))
    elif f.dist == "poisson":
        lam = np.full(n, a)
        if f.name == "basket_size" and model_id == "basket_recommender":
            lam = lam * _drift_factor(story, day)
        v = rng.poisson(lam) + b
    elif f.dist == "binary":
        v = (rng.random(n) < a).astype(np.float64)
    else:
        v = rng.uniform(a, b, n)
    v = np.round(v.astype(np.float64), f.decimals)
    if f.name == "account_tenure_months":  # crm_accounts incident: null share jumps to ~30%
        null_p = np.where(day >= story.day(story.crm_null_from), 0.3, 0.01)
        v[rng.random(n) < null_p] = np.nan
    return v, None


def _drift_factor(story: Story, day: np.ndarray) -> np.ndarray:
    """basket_size multiplier: x2.6 from 3 March on, to the end of the data (a regime change: larger
    baskets after a bundle promotion; the model was trained before it and is not retrained)."""
    return np.where(day >= story.day(story.drift_start), 2.6, 1.0)


def season_of(story: Story, day: np.ndarray) -> np.ndarray:
    """Seasonal wave in [-1, 1] peaking in July, for day indices of the span (may lie outside it)."""
    dates = np.datetime64(story.start, "D") + np.asarray(day, np.int64)
    doy = (dates - dates.astype("datetime64[Y]")).astype(np.int64) + 1
    return np.sin(2 * np.pi * (doy - 105) / 365.25)


def usage_chunk(ctx: Context, sink: Sink, chunk_no: int, month: int, days, models, counts) -> None:
    rng = np.random.default_rng([ctx.seed, 20, chunk_no])
    ts, day, model, user, _cell = _rows(ctx, rng, days, models, counts)
    n = len(ts)
    team = ctx.user_team[user]
    kinds = pa.array([k for k, _ in USAGE_EVENT_MIX])
    p = np.array([w for _, w in USAGE_EVENT_MIX])
    kind = draw(rng, p, n)
    # users override models they do not trust: the ones that never pay off, and drifting ones
    distrust = np.isin(model, NEVER_PAY) | ((model == MODELS_IDX["basket_recommender"])
                                           & (_drift_factor(ctx.story, day) > 1.2))
    flip = distrust & (kind == 2) & (rng.random(n) < 0.6)
    kind[flip] = 3
    sink.write("usage_events", pa.table({
        "event_at": _ts(ts), "model_id": _dict(model, ctx.model_ids), "user_id": _dict(user, ctx.users),
        "team": _dict(team, ctx.teams), "country": _dict(ctx.team_country[team], ctx.countries),
        "event_type": _dict(kind, kinds),
    }), ctx.month_names[month])


NEVER_PAY = np.array([i for i, m in enumerate(MODELS) if not m.pays_off])


def generate_traffic(story: Story, org: Org, sink: Sink, *, seed: int, predictions: int, usage_events: int,
                     feature_rows: int | None, chunk_size: int = 1_000_000) -> Context:
    month_of_day = story.month_of_day()
    counts = allocate(predictions, volume_weights(story, org, per_user_rate=True))
    ctx = make_context(story, org, seed, predictions=predictions, counts=counts, feature_rows=feature_rows)
    first = 1
    for no, (month, days, models, cnt) in enumerate(chunks(counts, month_of_day, chunk_size)):
        prediction_chunk(ctx, sink, no, first, month, days, models, cnt)
        first += int(cnt.sum())
    ucounts = allocate(usage_events, volume_weights(story, org, per_user_rate=False))
    for no, (month, days, models, cnt) in enumerate(chunks(ucounts, month_of_day, chunk_size)):
        usage_chunk(ctx, sink, no, month, days, models, cnt)
    return ctx
