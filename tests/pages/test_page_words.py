"""People's words, not codes (issue 12.9): every text a person reads on every page (except the drift
explorer, audited on its own), for every role that can open the page, on the demo lakehouse.

Collected: titles, markdown, captions, alerts, metric labels and help, widget labels and options,
table column titles, the cells of status-like columns and the dates in every datetime column. It fails
on snake_case codes (``in_progress``, ``not_assessed``), known raw codes (``auc``), machine column
names as titles, lower-case enum values where a word belongs, ISO timestamps with a ``T``, dates in the
future and times of day whose zone is not stated (the rule: UTC, said in the column title)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pandas as pd
import pytest

from app.navigation import ROLE_PAGES
from apptest import open_page

# a code: lower-case words joined by "_" ("in_progress", "model_id"); text in `code font` is exempt
SNAKE = re.compile(r"(?<![\w/.=-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.-])")
RAW_CODES = re.compile(r"^(auc|f1|rmse|mae|psi|in_progress|not_assessed|not_applicable)$")
ISO_T = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")  # the pages write dates one way, "3 Oct 2026"
URL = re.compile(r"\S*[/?=]\S*")
CODE_SPAN = re.compile(r"`[^`]*`")

# columns whose cells are enum values a person reads ("status", "stage", ...): listed here, not
# imported, so the test does not share the code's idea of what needs words
CODE_COLUMNS = {"status", "computed_status", "stage", "severity", "kind", "category", "environment", "approval",
                "risk_tier", "task", "check_kind", "metric_kind", "asset_kind", "obligation", "verdict",
                "variant", "control", "domain", "primary_metric", "metric", "algorithm", "role", "event",
                "action", "missing", "dataset_id", "check_id", "asset_id", "audit_id", "query", "column",
                "source_system", "line_item", "entered_by", "sensitive_attribute", "group", "model_id"}

# Genuine tokens a person does read: names that ARE the data's own names (dataset, table, feature,
# check and query names as stored in the lakehouse and written in contracts), shown as the data has them.
ALLOWED_OPTIONS = {
    "Dataset": "dataset ids are the names stewards write in contracts and the CLI",
    "Node": "lineage nodes are named by their dataset, feature and model ids",
    "Table": "lakehouse table names, for an administrator loading files",
    "Sample failing rows of": "dataset / check ids as written in the contract file",
    "Task": "a stewardship task reads as its dataset / check ids (as in the contract file) and its date",
}
ALLOWED_CELL_COLUMNS = {
    "dataset_id": "dataset ids are the names used in contracts, the CLI and the lineage",
    "check_id": "check ids are the names a steward wrote in the contract file",
    "asset_id": "dataset or model id the obligation is recorded against",
    "audit_id": "the fairness audit's key, picked in the sign-off form",
    "query": "the SQL file name of a timed query (administrators' performance table)",
    "column": "lakehouse column names in the schema reference for loading data",
    "source_system": "the system the feed comes from, as the data catalogue names it",
    "line_item": "the ledger's own key of a line, written by the experiment-value step",
    "entered_by": "who or what wrote the ledger row (an experiment's id for measured value)",
    "sensitive_attribute": "the column name of the audited attribute in the prediction log",
    "group": "the audited group's value as it appears in the data",
}
# statistical symbols that are lower case by convention
LOWER_TITLES = {"p", "q", "n control", "n treatment"}

PAGES = ("overview", "roi", "adoption", "experiments", "quality", "catalog", "compliance", "readiness",
         "registry", "admin", "ingest")
CASES = [(page, role) for page in PAGES for role in ROLE_PAGES if page in ROLE_PAGES[role]]


def _walk(node, out: list) -> None:
    kids = getattr(node, "children", None)
    if isinstance(kids, dict):
        for kid in kids.values():
            _walk(kid, out)
    if getattr(node, "type", None) is not None:
        out.append(node)


def _prose(text: str) -> str:
    return CODE_SPAN.sub("", text or "").replace("\\_", "_")


def _problems(at) -> list[str]:
    nodes: list = []
    _walk(at._tree, nodes)
    now = pd.Timestamp(datetime.now(UTC))
    found: list[str] = []

    def prose(where: str, text: str) -> None:
        plain = _prose(text)
        for token in SNAKE.findall(plain):
            found.append(f"{where}: code {token!r} in {text[:90]!r}")
        if ISO_T.search(text or ""):
            found.append(f"{where}: ISO timestamp in {text[:90]!r}")
        elif ISO_DAY.search(URL.sub("", plain)):
            found.append(f"{where}: date not written as the pages write dates in {text[:90]!r}")

    for n in nodes:
        t = n.type
        if t in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
            prose(t, n.value)
        elif t == "metric":
            prose("metric label", n.label)
            prose(f"metric {n.label!r} value", n.value)
            prose(f"metric {n.label!r} help", n.proto.help)
        elif t in ("selectbox", "multiselect", "radio", "button_group"):
            label = n.proto.label
            prose(f"{t} label", label)
            options = [o.content for o in n.proto.options] if t == "button_group" else n.options
            if label not in ALLOWED_OPTIONS:
                for o in options:
                    if SNAKE.search(str(o)) or RAW_CODES.match(str(o)) or str(o)[:1].islower():
                        found.append(f"{t} {label!r}: option {o!r}")
        elif t in ("tab", "expander", "button", "checkbox", "toggle", "text_input", "number_input",
                   "date_input", "text_area", "download_button"):
            prose(f"{t} label", getattr(n, "label", "") or "")
        elif t == "dataframe":
            found += _table_problems(n, now)
    return found


def _table_problems(n, now: pd.Timestamp) -> list[str]:
    cfg = json.loads(n.proto.columns or "{}")
    df = n.value
    found = []
    for col in df.columns:
        c = cfg.get(str(col)) or {}
        if c.get("hidden"):
            continue
        title = c.get("label") or str(col)
        if "_" in title or not title.strip() or (title[:1].islower() and title not in LOWER_TITLES):
            found.append(f"table column {col!r}: title {title!r}")
        values = df[col]
        shown = {o["value"]: o.get("label") or o["value"]  # a selectbox column shows its option labels
                 for o in (c.get("type_config") or {}).get("options") or [] if isinstance(o, dict)}
        if shown:
            values = values.map(lambda v, shown=shown: shown.get(v, v))
        if str(col) in CODE_COLUMNS and str(col) not in ALLOWED_CELL_COLUMNS and values.dtype == object:
            for v in values.dropna().astype(str).unique():
                if v and (SNAKE.search(v) or RAW_CODES.match(v) or v[:1].islower()):
                    found.append(f"table column {title!r}: code {v!r}")
        if str(col) in ("reasons", "message", "last_reason") and values.dtype == object:
            for v in values.dropna().astype(str).unique():  # "why" reasons are full sentences
                if v and (not (v[:1].isupper() or v[:1].isdigit()) or not v.rstrip().endswith((".", "!", "?"))):
                    found.append(f"table column {title!r}: not a sentence {v[:90]!r}")
                if ISO_T.search(v) or ISO_DAY.search(URL.sub("", v)):
                    found.append(f"table column {title!r}: date not written as the pages write dates {v[:90]!r}")
        if "datetime" in str(values.dtype):
            top = values.max()
            if str(col).endswith("_at") and pd.notna(top) and (top.tz_localize("UTC") if top.tzinfo is None else top) > now:
                found.append(f"table column {title!r}: future time {top}")
            fmt = (c.get("type_config") or {}).get("format") or ""
            has_time = "H" in fmt or (not fmt and values.dt.tz is not None)
            if has_time and "UTC" not in title:
                found.append(f"table column {title!r}: time of day without its zone")
    return found


@pytest.mark.parametrize(("page", "role"), CASES, ids=[f"{p}-{r}" for p, r in CASES])
def test_people_read_words_not_codes(app_env, page, role):
    at = open_page(page, role, name="Pat Person")
    assert not at.exception, at.exception
    problems = sorted(set(_problems(at)))
    assert not problems, "\n".join(problems)
