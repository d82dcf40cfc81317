"""The organisation: teams, users, model lifecycles (versions, deployments) and adoption.

``build_org`` draws everything that is small and shared by the other generators: who exists, when
each model launched (and retired), which version serves on each day, and when each eligible user
adopts each model (a logistic S-curve per team; laggard teams plateau low).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from analytics.demo.enterprise import BUSINESS_UNITS, COUNTRIES, MODELS, PEOPLE, TEAM_FUNCTIONS
from analytics.demo.story import US_PER_DAY, Story

N_TEAMS_PER_BU = 12
N_USERS = 3000


@dataclass
class Org:
    team_names: list[str]
    team_bu: np.ndarray  # team -> BU index
    team_country: list[str]
    team_laggard: np.ndarray  # bool per team
    user_ids: list[str]
    user_team: np.ndarray  # user -> team index
    launch_day: np.ndarray  # per model, day index of go-live (may be < 0: before the span)
    retire_day: np.ndarray  # per model, day index after which there is no traffic (n_days if never)
    created_day: np.ndarray
    versions: list[dict]  # model_versions rows (with "day" of registration)
    deployments: list[dict]
    version_of_day: np.ndarray  # [model, day] -> version number (1-based) serving that day
    eligible: list[dict]  # eligible_users rows
    adopt_users: list[np.ndarray]  # per model: user indices sorted by adoption day (adopters only)
    active: np.ndarray  # [day, model] -> number of users who adopted by that day (0 when retired)

    @property
    def user_country(self) -> list[str]:
        return [self.team_country[t] for t in self.user_team]


def build_org(story: Story, seed: int) -> Org:
    rng = np.random.default_rng([seed, 1])
    n_days = story.n_days
    # ---- teams and users
    codes = list(COUNTRIES)
    weights = np.array([COUNTRIES[c] for c in codes], float)
    weights /= weights.sum()
    n_teams = N_TEAMS_PER_BU * len(BUSINESS_UNITS)
    # every country has at least one team; the rest follow headcount weights
    pool = list(codes) + [codes[i] for i in rng.choice(len(codes), n_teams - len(codes), p=weights)]
    pool = [pool[i] for i in rng.permutation(n_teams)]
    team_names, team_bu, team_country = [], [], []
    for t, country in enumerate(pool):
        b = t // N_TEAMS_PER_BU
        bu = BUSINESS_UNITS[b]
        funcs = [TEAM_FUNCTIONS[bu][i] for i in rng.permutation(len(TEAM_FUNCTIONS[bu]))]
        name = next((f"{bu} {country} {f}" for f in funcs if f"{bu} {country} {f}" not in team_names),
                    f"{bu} {country} {funcs[0]} {t}")
        team_names.append(name)
        team_bu.append(b)
        team_country.append(country)
    n_teams = len(team_names)
    team_laggard = rng.random(n_teams) < 0.2
    size = rng.lognormal(0, 0.5, n_teams)
    user_team = np.sort(rng.choice(n_teams, N_USERS, p=size / size.sum()))
    user_ids = [f"u{i:05d}" for i in range(1, N_USERS + 1)]
    team_bu_arr = np.array(team_bu)

    # ---- model lifecycle
    n_models = len(MODELS)
    launch = np.zeros(n_models, int)
    retire = np.full(n_models, n_days, int)
    for m, spec in enumerate(MODELS):
        if spec.stage == "production":
            launch[m] = rng.integers(-330, 330)
        elif spec.stage == "pilot":
            launch[m] = rng.integers(n_days - 430, n_days - 220)
        else:
            launch[m] = rng.integers(-250, 60)
            retire[m] = rng.integers(330, 560)
    # the story's models are mature before their episodes
    for mid in ("basket_recommender", "churn_propensity", "credit_risk_scoring", "fraud_detection",
                "demand_forecast"):
        i = next(k for k, s in enumerate(MODELS) if s.model_id == mid)
        launch[i] = min(launch[i], rng.integers(-300, -60))
    created = launch - rng.integers(60, 200, n_models)

    versions, deployments, version_of_day = _versions(story, rng, launch, retire, created)

    # ---- eligibility and adoption
    eligible, adopt_users = [], []
    active = np.zeros((n_days, n_models), np.int64)
    team_cap = np.where(team_laggard, rng.uniform(0.08, 0.22, n_teams), rng.uniform(0.6, 0.92, n_teams))
    days = np.arange(n_days)
    for m, spec in enumerate(MODELS):
        b = BUSINESS_UNITS.index(spec.business_unit)
        teams = np.flatnonzero(team_bu_arr == b)
        if spec.stage == "pilot":
            teams = rng.choice(teams, 3, replace=False)
        else:
            others = np.flatnonzero(team_bu_arr != b)
            teams = np.concatenate([teams, rng.choice(others, rng.integers(0, 3), replace=False)])
        users = np.flatnonzero(np.isin(user_team, teams))
        eligible_from = story.date_of(max(launch[m], -400))
        for u in users:
            eligible.append({"model_id": spec.model_id, "user_id": user_ids[u],
                             "team": team_names[user_team[u]], "country": team_country[user_team[u]],
                             "business_unit": BUSINESS_UNITS[team_bu[user_team[u]]],
                             "eligible_from": eligible_from})
        appeal = 0.45 if not spec.pays_off else rng.uniform(0.75, 1.0)
        cap = team_cap[user_team[users]] * appeal * (0.8 if spec.stage == "pilot" else 1.0)
        t_half = rng.uniform(50, 150) if spec.stage != "pilot" else rng.uniform(20, 50)
        u = rng.random(len(users))
        adopts = u < cap
        q = np.clip(u[adopts] / cap[adopts], 1e-6, 1 - 1e-6)
        t = launch[m] + t_half + (t_half / 4) * np.log(q / (1 - q))
        t = np.maximum(t, launch[m]).astype(np.int64)
        order = np.argsort(t, kind="stable")
        adopt_users.append(users[adopts][order])
        k = np.searchsorted(t[order], days, side="right")
        k[days >= retire[m]] = 0
        k[days < launch[m]] = 0
        active[:, m] = k
    return Org(team_names, team_bu_arr, team_country, team_laggard, user_ids, user_team, launch, retire,
               created, versions, deployments, version_of_day, eligible, adopt_users, active)


def _versions(story: Story, rng: np.random.Generator, launch, retire, created):
    """Versions (1-4 per model, denser later: MLOps maturity) and their deployments."""
    n_days = story.n_days
    versions, deployments = [], []
    version_of_day = np.ones((len(MODELS), n_days), np.int8)
    dep_no = 0
    drift_day = story.day(story.drift_start)
    churn_day = story.day(story.crm_null_from)

    def ts(day: float, rng=rng):
        return story.start_us + int(day * US_PER_DAY) + int(rng.integers(8, 18) * 3_600_000_000)

    for m, spec in enumerate(MODELS):
        last = min(retire[m], n_days) - 20
        n_v = 1 if spec.stage == "pilot" and rng.random() < 0.5 else int(rng.integers(1, 5))
        # later versions cluster towards the end of the span (shorter release cycles over time)
        later = np.sort(last - (last - launch[m] - 30) * rng.random(n_v - 1) ** 1.8) if n_v > 1 else []
        reg_days = [launch[m] - 14] + [int(x) for x in later if x > launch[m] + 30]
        if spec.model_id == "basket_recommender":  # the last version trains before the drift episode
            reg_days = [d for d in reg_days if d < drift_day - 45][:3] + [drift_day - 45]
        if spec.model_id == "churn_propensity":  # trained before the crm_accounts incident
            reg_days = [d for d in reg_days if d < churn_day - 150][:3] + [churn_day - 100]
        reg_days = sorted(set(reg_days))
        for v, rd in enumerate(reg_days, start=1):
            train_end = rd - int(rng.integers(5, 12))
            train_start = train_end - int(rng.integers(90, 180))
            # the window may lie before the data: the version's logged training set (demo.training)
            # is its drift reference, wherever the window lies
            version = f"v{v}"
            versions.append({"model_id": spec.model_id, "version": version, "registered_at": ts(rd),
                             "registered_by": PEOPLE[int(rng.integers(len(PEOPLE)))],
                             "algorithm": _algorithm(spec.task, v, rng),
                             "train_start_at": ts(train_start) - ts(train_start) % US_PER_DAY,
                             "train_end_at": ts(train_end) - ts(train_end) % US_PER_DAY, "day": rd})
            for env, lag in (("staging", int(rng.integers(1, 4))), ("production", int(rng.integers(5, 12)))):
                status = "success"
                r = rng.random()
                if r < 0.08 + 0.06 * (env == "production"):
                    status = "failed" if r < 0.07 else "rolled_back"
                dep_no += 1
                deployments.append({"deployment_id": f"dep-{dep_no:05d}", "model_id": spec.model_id,
                                    "version": version, "environment": env, "deployed_at": ts(rd + lag),
                                    "deployed_by": PEOPLE[int(rng.integers(len(PEOPLE)))], "status": status})
                if status != "success":  # fixed and redeployed a few days later
                    dep_no += 1
                    deployments.append({**deployments[-1], "deployment_id": f"dep-{dep_no:05d}",
                                        "deployed_at": ts(rd + lag + int(rng.integers(1, 5))),
                                        "status": "success"})
            start = max(rd + 10, 0)
            version_of_day[m, min(start, n_days):] = v
        # configuration redeploys of the serving version, more frequent as the platform matures
        if spec.stage == "production":
            n_re = int(rng.integers(2, 8))
            for d in np.sort(n_days * rng.random(n_re) ** 0.5).astype(int):  # denser later
                if d <= max(launch[m], 0) or d >= n_days:
                    continue
                dep_no += 1
                deployments.append({"deployment_id": f"dep-{dep_no:05d}", "model_id": spec.model_id,
                                    "version": f"v{version_of_day[m, d]}", "environment": "production",
                                    "deployed_at": ts(d), "deployed_by": PEOPLE[int(rng.integers(len(PEOPLE)))],
                                    "status": "success" if rng.random() > 0.07 else "rolled_back"})
    end_us = story.end_us
    deployments = [d for d in deployments if d["deployed_at"] < end_us]
    versions = [v for v in versions if v["registered_at"] < end_us]
    return versions, deployments, version_of_day


def _algorithm(task: str, v: int, rng) -> str:
    pool = (("logistic_regression", "random_forest", "xgboost", "lightgbm") if task == "classification"
            else ("linear_regression", "random_forest", "xgboost", "lightgbm"))
    return pool[min(v - 1 + int(rng.integers(0, 2)), len(pool) - 1)]


def created_at_us(story: Story, day: int) -> int:
    return story.start_us + int(day) * US_PER_DAY + 9 * 3_600_000_000


__all__ = ["Org", "build_org", "created_at_us", "timedelta"]
