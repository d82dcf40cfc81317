"""Tables that leave the app (CSV, XLSX, PDF) show each figure as the page does.

A ``Col`` says how one column is shown: its label and its format, written in the page's own
format language (Streamlit's column formats: printf such as ``"%,.0f"``, presets such as
``"percent"``, and moment-style dates such as ``"D MMM YYYY"``), so a page's ``column_config``
converts to ``Col`` objects as plain data (``cols_from_config``) and a report declares its own.
``Col.text`` prints a value the way the page prints it; ``Col.rounded`` is the value the CSV
carries (rounded to the digits shown); ``csv_bytes`` writes a formula-safe CSV.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import polars as pl

Kind = Literal["text", "number", "date", "datetime", "bool"]
DASH = "–"  # what the page shows for a missing value
_PRINTF = re.compile(r"^(?P<pre>[^%]*)%(?P<comma>,?)(?:\.(?P<prec>\d+))?(?P<conv>[dfgie])(?P<post>.*)$")
_MOMENT = re.compile(r"YYYY|MMMM|MMM|MM|DD|D|HH|mm|ss")
_MOMENT_TO_STRFTIME = {"YYYY": "%Y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "DD": "%d", "D": "{day}",
                       "HH": "%H", "mm": "%M", "ss": "%S"}
_FORMULA_START = r"^[=+\-@\t\r]"


@dataclass(frozen=True)
class Col:
    """How one column is shown: ``kind`` and ``fmt`` in the page's format language; ``width`` is a
    relative share of the page width in the PDF (text columns wrap, so no column is cut)."""

    name: str
    label: str
    kind: Kind = "text"
    fmt: str | None = None
    width: float = 1.0

    def digits(self) -> int | None:
        """Decimal places the page shows for a number (None: not rounded)."""
        if self.kind != "number" or not self.fmt:
            return None
        if self.fmt == "percent":
            return 4  # a share shown as 12.34%
        if self.fmt in ("dollar", "euro", "yen", "accounting"):
            return 2
        if self.fmt == "localized":
            return None
        m = _PRINTF.match(self.fmt)
        if not m:
            return None
        if m["conv"] == "d":
            return 0
        return int(m["prec"] or 6) if m["conv"] == "f" else None

    def rounded(self, value):
        """The value as the CSV carries it: numbers rounded to the digits shown, else unchanged."""
        d = self.digits()
        if d is None or value is None or isinstance(value, bool):
            return value
        return round(float(value), d) if d else int(round(float(value)))

    def text(self, value) -> str:
        """The value printed as the page prints it ("–" when missing)."""
        if value is None or (isinstance(value, float) and value != value):
            return DASH
        if self.kind == "bool":
            return "Yes" if value else "No"
        if self.kind in ("date", "datetime") and isinstance(value, date):
            return moment(value, self.fmt or ("D MMM YYYY, HH:mm" if self.kind == "datetime" else "D MMM YYYY"))
        if self.kind == "number" and isinstance(value, int | float):
            return number(value, self.fmt)
        return str(value)


def number(x: float, fmt: str | None) -> str:
    """A number in Streamlit's NumberColumn format language (printf or a preset)."""
    if fmt == "percent":
        return f"{x * 100:.2f}%"
    if fmt == "dollar":
        return f"${x:,.2f}" if x >= 0 else f"-${-x:,.2f}"
    if fmt == "localized":
        return f"{x:,}" if isinstance(x, int) else f"{x:,.3f}".rstrip("0").rstrip(".")
    m = _PRINTF.match(fmt or "")
    if m:
        conv = m["conv"]
        spec = f"{m['comma']}{'.' + m['prec'] if m['prec'] is not None else ''}{conv}"
        value = int(round(x)) if conv == "d" else float(x)
        return f"{m['pre']}{value:{spec}}{m['post']}"
    if isinstance(x, int):
        return str(x)
    return f"{x:.4f}".rstrip("0").rstrip(".")


def moment(value: date, fmt: str) -> str:
    """A date or time in a moment.js-style format ("D MMM YYYY", "MMM YYYY", "D MMM YYYY, HH:mm")."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    pattern = _MOMENT.sub(lambda m: _MOMENT_TO_STRFTIME[m.group(0)], fmt)
    return value.strftime(pattern.replace("{day}", str(value.day)))


def label(name: str) -> str:
    """A readable header for a column nobody labelled ("net_usd" -> "Net usd")."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def cols_from_config(df: pl.DataFrame, config: dict | None) -> list[Col]:
    """``Col`` per column of ``df`` from a page's ``column_config`` (plain dicts as Streamlit's
    ``st.column_config`` builds them: ``label`` and ``type_config.type/format``). Hidden columns
    (configured as None) keep their raw name as label; they are exported too."""
    config = config or {}
    out = []
    for name, dtype in df.schema.items():
        cfg = config.get(name)
        cfg = {"label": cfg} if isinstance(cfg, str) else (cfg or {})
        tc = cfg.get("type_config") or {}
        fmt = tc.get("format")
        if dtype == pl.Boolean:
            kind: Kind = "bool"
        elif isinstance(dtype, pl.Datetime):
            kind = "datetime" if tc.get("type") != "date" else "date"
        elif dtype == pl.Date:
            kind = "date"
        elif dtype.is_numeric():
            kind = "number"
        else:
            kind = "text"
        if kind == "datetime" and fmt and not re.search(r"HH|mm", fmt):
            kind = "date"  # the page shows the day only: so do the exports
        out.append(Col(name, cfg.get("label") or label(name), kind, fmt))
    return out


def shown_values(df: pl.DataFrame, cols: list[Col]) -> pl.DataFrame:
    """``df`` restricted to ``cols`` with numbers rounded as the page shows them (polars, typed)."""
    exprs = []
    for c in cols:
        d = c.digits()
        e = pl.col(c.name)
        if d is not None:
            e = e.round(d).cast(pl.Int64, strict=False) if d == 0 and df.schema[c.name].is_float() else e.round(d)
        exprs.append(e.alias(c.name))
    return df.select(exprs)


def formula_safe(df: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) get a quote."""
    return df.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA_START)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c))
        .alias(c)
        for c, t in df.schema.items() if t == pl.String
    )


def csv_bytes(df: pl.DataFrame, cols: list[Col] | None = None) -> bytes:
    """CSV of ``df``: numbers rounded to what the page shows when ``cols`` are given (column names
    stay the machine names), formula-like text neutralised. List cells are joined with ", " (CSV
    has no nested values)."""
    if cols:
        df = shown_values(df, cols)
    df = df.with_columns(pl.col(c).cast(pl.List(pl.String)).list.join(", ")
                         for c, t in df.schema.items() if isinstance(t, pl.List))
    buf = io.BytesIO()
    formula_safe(df).write_csv(buf)
    return buf.getvalue()


# Columns whose cells are codes from a fixed list (statuses, stages, kinds): every table shown to a person
# (page, CSV, XLSX, PDF) turns them into words with ``humanize``; ids and the data's own names are not here.
CODE_COLUMNS = frozenset({
    "status", "computed_status", "stage", "severity", "kind", "category", "environment", "approval",
    "risk_tier", "task", "check_kind", "metric_kind", "asset_kind", "obligation", "verdict", "variant",
    "control", "domain", "primary_metric", "metric", "algorithm", "role", "event", "action", "missing",
})
# words that are read as letters: "auc" -> "AUC", "roc_auc" -> "ROC AUC"
ACRONYMS = {a: a.upper() for a in ("auc", "roc", "f1", "rmse", "mae", "mape", "psi", "ks", "pii", "gdpr",
                                    "ccpa", "sla", "ml", "ai", "kpi", "roi", "npv", "eu", "hr", "crm", "sap",
                                    "api", "url", "ab", "cuped", "srm")} | {"genai": "GenAI", "soc2": "SOC2"}
_ACRONYM = re.compile(r"\b(" + "|".join(sorted(ACRONYMS, key=len, reverse=True)) + r")\b")


def word(code: str | None) -> str | None:
    """One code as words for people: "in_progress" -> "In progress", "auc" -> "AUC", "model_version" ->
    "Model version" (``None`` stays ``None``; text that is already words keeps its capitals)."""
    if code is None:
        return None
    text = _ACRONYM.sub(lambda m: ACRONYMS[m.group(1)], str(code).replace("_", " "))
    return text[:1].upper() + text[1:]


def humanize(df: pl.DataFrame, *cols: str) -> pl.DataFrame:
    """``df`` with the codes in ``cols`` (text or lists of text) as words (``word``); nulls stay null.
    Without ``cols``: every text column named in ``CODE_COLUMNS``."""
    cols = cols or tuple(c for c, t in df.schema.items() if c in CODE_COLUMNS)
    out = []
    for c in cols:
        t = df.schema[c]
        if t in (pl.String, pl.Categorical) or isinstance(t, pl.Enum):
            codes = df.get_column(c).cast(pl.String).unique().drop_nulls().to_list()  # few distinct codes
            out.append(pl.col(c).cast(pl.String).replace({v: word(v) for v in codes}))
        elif isinstance(t, pl.List) and t.inner == pl.String:
            out.append(pl.col(c).list.eval(pl.element().map_elements(word, return_dtype=pl.String)))
    return df.with_columns(out) if out else df
