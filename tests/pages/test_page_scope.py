"""The data-scope matrix on the pages: a product manager and a steward scoped to Retail open every page
they may see with the business-unit filter tampered to Finance (widget state, or the URL); every
table on the page (the frame its CSV download writes) holds ZERO rows of another unit, counted, and
every picker of models, datasets or experiments offers only Retail's."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from analytics.lakehouse import connection
from analytics.product.scope import asset_units
from app import auth
from app.navigation import ROLE_PAGES
from apptest import MAIN, page_path

ALLOWED = ("Retail",)
PAGES = {"product_manager": [p for p in ROLE_PAGES["product_manager"] if p != "readiness"],
         "steward": [p for p in ROLE_PAGES["steward"] if p != "readiness"]}
CASES = [(role, page) for role, pages in PAGES.items() for page in pages]
# pickers whose options are model, dataset or experiment ids (or "dataset / check" labels)
PICKERS = {"drift_model": "model", "experiment_pick": "experiment", "q_ds": "dataset", "q_sample": "dataset",
           "fa_model": "model"}


@pytest.fixture(scope="module")
def owned(demo_root):
    con = connection.connect(demo_root)
    units = asset_units(con)
    mine = units.filter(pl.col("business_unit").is_in(list(ALLOWED)))
    out = {k: set(mine.filter(pl.col("asset_kind") == k)["asset_id"]) for k in ("model", "dataset", "experiment")}
    out["model_name"] = {r[0] for r in con.sql("select name from models where business_unit = 'Retail'").fetchall()}
    return out


def _picked_ids(box, kind: str, owned: dict) -> set[str]:
    """The ids behind a picker's labels: "name (id)" for tests, "dataset / check", model names."""
    labels = list(box.options)
    if kind == "experiment":
        return {label.rsplit("(", 1)[-1].rstrip(")") for label in labels}
    if kind == "dataset":
        return {label.split(" / ")[0] for label in labels}
    # models are labelled by name: map the names back (a name of another unit stays unknown)
    return {next(iter(owned["model"])) if label in owned["model_name"] else label for label in labels}


def _foreign(df: pl.DataFrame, owned: dict) -> int:
    if "business_unit" in df.columns:
        return df.filter(pl.col("business_unit").is_not_null() & ~pl.col("business_unit").is_in(list(ALLOWED))).height
    for column, kind in (("model_id", "model"), ("dataset_id", "dataset"), ("experiment_id", "experiment")):
        if column in df.columns:
            return df.filter(~pl.col(column).is_in(list(owned[kind]))).height
    if {"asset_kind", "asset_id"} <= set(df.columns):
        # the kind reads as a word on the page ("Dataset")
        return sum(i not in owned.get(k.lower(), set()) for k, i in df.select("asset_kind", "asset_id").iter_rows())
    return 0


def _open(role: str, page: str, *, url: bool) -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=120)
    at.session_state["user"] = auth.test_session(role, business_units=list(ALLOWED))
    if url:
        at.query_params["business_unit"] = "Finance"
    else:
        at.session_state["f_bu"] = ["Finance"]  # tampered: the widget never offers it
    at.run()
    at.switch_page(page_path(page))
    return at.run()


@pytest.mark.parametrize(("role", "page"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_zero_rows_of_another_unit_on_every_page(app_env, owned, role, page):
    at = _open(role, page, url=page in ("overview", "drift"))
    assert not at.exception, at.exception
    shown = 0
    for el in at.dataframe:
        df = pl.from_pandas(el.value) if not isinstance(el.value, pl.DataFrame) else el.value
        assert _foreign(df, owned) == 0, (page, df.columns, df.head(3))
        shown += df.height
    for key, kind in PICKERS.items():
        try:
            box = at.selectbox(key=key)
        except KeyError:
            continue
        ids = _picked_ids(box, kind, owned)
        assert ids <= owned[kind], (key, ids - owned[kind])
    if page in ("adoption", "roi", "overview", "catalog", "experiments"):  # Retail has no failing checks
        assert shown > 0, f"{page}: the user's own data should be shown"


def test_drift_url_for_another_units_model_shows_own_model_and_says_so(app_env, owned, demo_root):
    models = asset_units(connection.connect(demo_root)).filter(
        (pl.col("asset_kind") == "model") & (pl.col("business_unit") == "Finance"))["asset_id"]
    at = AppTest.from_file(MAIN, default_timeout=120)
    at.session_state["user"] = auth.test_session("product_manager", business_units=list(ALLOWED))
    at.run()
    at.query_params["model"] = models[0]
    at.switch_page(page_path("drift"))
    at.run()
    assert not at.exception
    assert at.selectbox(key="drift_model").value in owned["model"]
    assert any("is not in your selection" in w.value for w in at.warning)
