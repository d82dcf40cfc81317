"""Shared UI pieces: error translation (plain words for everyone, technical details for
administrators), panels that fail in place, empty states, tables with CSV download."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import polars as pl
import streamlit as st

from analytics.errors import NoDataError, QueryError, ScaleboardError
from analytics.report import tables as export
from analytics.report import xlsx
from analytics.settings import load_settings
from app import auth

T = TypeVar("T")

ROW_PX = 35  # st.dataframe's row (and header) height in pixels
# one date format everywhere; a time of day is in UTC and its column title says so (docs/product.md)
DATE_FORMAT = "D MMM YYYY"
TIME_FORMAT = "D MMM YYYY, HH:mm"


# who sees what went wrong technically: server paths, file names, the query and DuckDB's own words
DETAIL_ROLES = frozenset({"admin"})
PLAIN_QUERY_ERROR = ("Part of the data behind this panel could not be read, so it is not shown. If this "
                     "persists, tell an administrator: they see the technical details here.")
PLAIN_UNEXPECTED = ("This panel could not be drawn because of an unexpected error; the server log has the "
                    "details. If this persists, tell an administrator.")
# an absolute path (POSIX or Windows) at the start of a word, quoted or not
_PATH = re.compile(r"""(?:^|(?<=[\s('"=\[]))['"]?(?:[A-Za-z]:\\|/)[^\s'"),;]*['"]?""")
# a file name with a data or configuration extension
_FILE = re.compile(r"""['"]?[\w.\-]+\.(?:parquet|csv|toml|ya?ml|json|sql|py|tmp|lock)\b['"]?""", re.IGNORECASE)
# DuckDB's error classes ("IO Error: ...", "Binder Error: ..."): everything from there on is internals
_ENGINE = re.compile(r"\s*\(?\b(?:[A-Z][A-Za-z]*(?: [A-Z][a-z]+)*) Error: .*", re.DOTALL)


def sees_details() -> bool:
    """Whether the signed-in user is shown technical details (administrators only)."""
    user = auth.current_user()
    return bool(user) and user.get("role") in DETAIL_ROLES


def redact(text: str) -> str:
    """``text`` without absolute paths, file names and engine internals, for people who are not
    administrators ("The lakehouse path /srv/lake/x is not a folder." -> "The lakehouse path is not a
    folder.")."""
    if not any(p.search(text) for p in (_ENGINE, _PATH, _FILE)):
        return text
    out = _FILE.sub("", _PATH.sub("", _ENGINE.sub("", text)))
    out = re.sub(r"\(\s*\)|\[\s*\]", "", out)  # brackets left empty
    out = re.sub(r"\s+([.,;:)])", r"\1", re.sub(r"[ \t]{2,}", " ", out)).strip(" :,;")
    return out if not out or out.endswith((".", "!", "?", "`", ")")) else out + "."


def describe(exc: BaseException, *, details: bool) -> tuple[str, str | None]:
    """(message for everyone, technical detail for administrators or ``None``): the one place an
    exception becomes words. Project errors read as their sentence (paths and engine internals
    removed unless ``details``); a failed query or an unexpected error reads as a plain sentence."""
    if isinstance(exc, QueryError):
        message = PLAIN_QUERY_ERROR
        detail = f"{exc} {exc.hint}"
    elif isinstance(exc, ScaleboardError):
        full = f"{exc}" + (f" {exc.hint}" if exc.hint else "")
        message = redact(f"{exc}") + (f"\n\n{redact(exc.hint)}" if exc.hint else "")
        detail = full if redact(full) != full else None
    else:
        message = PLAIN_UNEXPECTED
        detail = f"{type(exc).__name__}: {exc}"
    return message, (detail if details else None)


def error_text(exc: BaseException, *, details: bool | None = None) -> str:
    """The markdown shown in an error box: the plain message, and for administrators the details
    as code (code is never rendered as a link or markup)."""
    message, detail = describe(exc, details=sees_details() if details is None else details)
    if not detail:
        return message
    flat = " ".join(detail.split()).replace("`", "'")
    return f"{message}\n\n**Details (administrators only):** `{flat}`"


def show_error(exc: BaseException) -> None:
    """Show ``exc`` in place: "no data" as information, anything else as an error (see ``describe``);
    unexpected errors are logged with their traceback."""
    if isinstance(exc, NoDataError):
        st.info(redact(str(exc)) if not sees_details() else str(exc), icon=":material/info:")
        return
    if not isinstance(exc, ScaleboardError):
        logging.getLogger("scaleboard").exception("unexpected error in a panel", exc_info=exc)
    st.error(error_text(exc), icon=":material/error:")


def _control_flow(exc: BaseException) -> bool:
    return type(exc).__name__ in {"StopException", "RerunException"}  # streamlit's, not errors


@contextmanager
def panel(title: str | None = None, *, border: bool = False) -> Iterator[None]:
    """A page section whose failure is shown in place and does not stop the rest of the page."""
    container = st.container(border=border)
    with container:
        if title:
            st.subheader(title)
        try:
            yield
        except Exception as exc:
            if _control_flow(exc):
                raise
            show_error(exc)


def value(load: Callable[[], T], *, empty: str | None = None) -> T | None:
    """``load()``'s result, or ``None`` after saying why in place: the error (``show_error``), or, when
    ``empty`` is given and the result has no rows, ``empty`` as information ("no data" is a normal
    state with its own message, not an error). Later panels test the result against ``None``."""
    try:
        out = load()
    except Exception as exc:
        if _control_flow(exc):
            raise
        show_error(exc)
        return None
    if empty is not None and _has_no_rows(out):
        st.info(empty, icon=":material/info:")
        return None
    return out


def _has_no_rows(out: object) -> bool:
    if isinstance(out, pl.DataFrame):
        return out.is_empty()
    return out is None or (hasattr(out, "__len__") and len(out) == 0)


def empty(message: str) -> None:
    st.info(message, icon=":material/info:")


def csv_bytes(df: pl.DataFrame) -> bytes:
    """CSV with list cells joined by ", " (CSV has no nested values) and formula-like text cells
    neutralised (=, +, -, @ prefixed with a quote); ``analytics.report.tables.csv_bytes``, which the
    table downloads also use (there rounded to the digits shown)."""
    return export.csv_bytes(df)


def label(name: str) -> str:
    """A column name for people: "dataset_id" -> "Dataset", "cost_usd" -> "Cost ($)",
    "opened_at" -> "Opened", "n_rows" -> "Rows", "share_null" -> "Share null"."""
    unit = ""
    for suffix, repl in (("_usd", " ($)"), ("_id", ""), ("_at", ""), ("_ms", " (ms)")):
        if name.endswith(suffix) and len(name) > len(suffix):
            name, unit = name[: -len(suffix)], repl
            break
    if name.startswith("n_") and len(name) > 2:
        name = name[2:]
    words = name.replace("_", " ").strip()
    return (words[:1].upper() + words[1:] + unit) if words else name


def auto_config(df: pl.DataFrame, column_config: dict | None) -> dict:
    """Labels (and date formats) for every column the page did not configure itself; counts
    (``n_*`` integer columns) get thousands separators unless the page chose a number format."""
    config = dict(column_config or {})
    for name, dtype in df.schema.items():
        given = config.get(name, {})
        is_count = name.startswith("n_") and dtype.is_integer()
        plain = isinstance(given, dict) and not given.get("type_config")  # a label at most, not hidden
        if name in config and not (is_count and plain):
            continue
        if is_count:  # the page's label, help and width if it gave them, plus the separators
            config[name] = st.column_config.NumberColumn(given.get("label") or label(name), help=given.get("help"),
                                                         width=given.get("width"), format="localized")
        elif isinstance(dtype, pl.Datetime):
            config[name] = st.column_config.DatetimeColumn(f"{label(name)} (UTC)", format=TIME_FORMAT)
        elif dtype == pl.Date:
            config[name] = st.column_config.DateColumn(label(name), format="D MMM YYYY")
        else:
            config[name] = st.column_config.Column(label(name))
    return config


@functools.cache
def max_rows_shown() -> int:
    """Rows of one table sent to the browser (setting ``max_rows_shown``, env SCALEBOARD_MAX_ROWS_SHOWN)."""
    return load_settings().max_rows_shown


def table(df: pl.DataFrame, *, key: str, filename: str | None = None, column_config: dict | None = None,
          height: int | None = None) -> None:
    """A dataframe capped at the ``max_rows_shown`` setting (saying so) with a CSV download of all
    rows. Columns the caller does not configure get readable labels and date formats; codes in
    status-like columns (``CODE_COLUMNS``) read as words, on the page and in the downloads."""
    cap = max_rows_shown()
    df = export.humanize(df)
    shown = df.head(cap)
    column_config = auto_config(shown, column_config)
    if height:  # a cap, not a size: a short table keeps its own height instead of blank rows
        height = min(height, ROW_PX * (shown.height + 1) + 3)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=column_config,
                 height=height if height else "auto", placeholder="–")
    if df.height > cap:
        st.caption(f"Showing the first {cap:,} of {df.height:,} rows; the download has all.")
    # the files are built when a button is clicked, not on every run; figures rounded as shown here
    cols, name = export.cols_from_config(df, column_config), (filename or f"{key}.csv").removesuffix(".csv")
    row = st.container(horizontal=True)
    row.download_button("Download CSV", lambda: export.csv_bytes(df, cols), file_name=f"{name}.csv",
                        mime="text/csv", key=f"dl_{key}", icon=":material/download:")
    row.download_button("Download XLSX", lambda: xlsx.xlsx_bytes([xlsx.Sheet(name, df, cols)]),
                        file_name=f"{name}.xlsx", key=f"dl_xlsx_{key}", icon=":material/download:",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# ---------------------------------------------------------------- column configs

def columns(**spec) -> dict:
    """``column_config`` from keyword args: a string is a plain label, anything else is used as is."""
    return {k: (st.column_config.Column(v) if isinstance(v, str) else v) for k, v in spec.items()}


def usd_col(label: str, help: str | None = None, width: str | None = None):
    # printf puts the sign after a "$" prefix ("$-5"), so the unit goes in the header instead
    return st.column_config.NumberColumn(f"{label} ($)", format="%,.0f", help=help, width=width)


def pct_col(label: str, help: str | None = None):
    return st.column_config.NumberColumn(label, format="percent", help=help)


def date_col(label: str, fmt: str = DATE_FORMAT, width: str | None = None):
    """A date column; with a time of day (``HH`` in ``fmt``) the title says the zone, UTC."""
    if "H" in fmt and "UTC" not in label:
        label = f"{label} (UTC)"
    return st.column_config.DatetimeColumn(label, format=fmt, width=width)


def text_col(label: str, width: str | None = None, help: str | None = None):
    return st.column_config.TextColumn(label, width=width, help=help)


def humanize(df: pl.DataFrame, *cols: str) -> pl.DataFrame:
    """Enum codes as words for people ("in_progress" -> "In progress", "auc" -> "AUC"): the one rule
    the page, CSV, XLSX and PDF share, ``analytics.report.tables.humanize``."""
    return export.humanize(df, *cols)


def word(code: str | None) -> str | None:
    """One code as words ("data_scientist" -> "Data scientist"), for a widget's ``format_func``."""
    return export.word(code)


def link_col(label: str, text: str):
    return st.column_config.LinkColumn(label, display_text=text)


def link_to(page_file: str, label: str, icon: str | None = None, query: dict | None = None) -> None:
    """A link to another page (by file name in pages/), or nothing when this user cannot open it."""
    from contextlib import suppress

    from streamlit.errors import StreamlitAPIException

    from app.navigation import PAGES_DIR

    with suppress(StreamlitAPIException):  # the page is not in this user's navigation
        st.page_link(str(PAGES_DIR / page_file), label=label, icon=icon, query_params=query)


# ---------------------------------------------------------------- charts, built once for every session

def _fingerprint(value: object) -> object:
    """A content key for a builder argument: frames by a digest of their Arrow IPC bytes (cheap next
    to building the chart), everything else by its repr."""
    import hashlib

    if isinstance(value, pl.DataFrame):
        return ("frame", hashlib.blake2b(value.write_ipc(None).getvalue(), digest_size=20).hexdigest())
    if isinstance(value, (list, tuple)):
        return tuple(_fingerprint(v) for v in value)
    return repr(value)


@st.cache_data(show_spinner=False, max_entries=512)
def _chart_spec(module: str, name: str, key: tuple, units: tuple[str, ...] | None, theme: str | None,
                _args: tuple, _kwargs: dict) -> dict:
    # ``key`` (a content digest of the arguments), the user's data scope and the viewer's theme (the
    # chart's text colour follows it) are the cache key; the arguments themselves (``_args``: not
    # hashed by Streamlit) only build the chart on a miss
    import importlib

    from streamlit.elements import vega_charts

    builder = getattr(importlib.import_module(module), name)
    # what st.altair_chart sends: the Vega-Lite spec with its data as Arrow bytes (validation, data
    # hashing and serialisation done once here instead of on every run of every session)
    return vega_charts._convert_altair_to_vega_lite_spec(builder(*_args, **_kwargs))


def chart(builder: Callable, *args, where=None, width: str = "stretch", **kwargs) -> None:
    """``where.altair_chart(builder(*args, **kwargs))``, with the chart's Vega-Lite spec built once for
    the same builder, arguments and data scope and shared by every session (Altair's validation and
    data hashing cost 0.1-0.5 s of CPU per chart, on every run of every session, otherwise)."""
    key = (_fingerprint(args), _fingerprint(sorted(kwargs.items())))
    units = auth.allowed_business_units(st.session_state.get(auth.SESSION_KEY) or {})  # the gate checked it
    try:
        theme = st.context.theme.type
    except Exception:  # no browser behind this run (AppTest)
        theme = None
    spec = _chart_spec(builder.__module__, builder.__qualname__, key, units, theme, args, kwargs)
    (where or st).vega_lite_chart(spec, width=width)
