"""Shared UI pieces: error translation, empty states, metrics, tables with CSV download."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl
import streamlit as st

from analytics.errors import NoDataError, ScaleboardError
from analytics.report import tables as export
from analytics.report import xlsx

MAX_ROWS_SHOWN = 5000
ROW_PX = 35  # st.dataframe's row (and header) height in pixels


def show_error(exc: BaseException) -> None:
    """The one place exceptions become messages: project errors read as sentences; anything
    else is reported without a traceback (the server log keeps it)."""
    if isinstance(exc, NoDataError):
        st.info(str(exc), icon=":material/info:")
    elif isinstance(exc, ScaleboardError):
        st.error(f"{exc}" + (f"\n\n{exc.hint}" if exc.hint else ""), icon=":material/error:")
    else:
        import logging

        logging.getLogger("scaleboard").exception("unexpected error in a panel")
        st.error(f"This panel could not be drawn: {type(exc).__name__}: {exc}", icon=":material/error:")


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
            if type(exc).__name__ in {"StopException", "RerunException"}:  # streamlit control flow
                raise
            show_error(exc)


def empty(message: str) -> None:
    st.info(message, icon=":material/info:")


def csv_bytes(df: pl.DataFrame) -> bytes:
    """CSV with formula-like text cells neutralised (=, +, -, @ prefixed with a quote)."""
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
            config[name] = st.column_config.DatetimeColumn(label(name), format="D MMM YYYY, HH:mm")
        elif dtype == pl.Date:
            config[name] = st.column_config.DateColumn(label(name), format="D MMM YYYY")
        else:
            config[name] = st.column_config.Column(label(name))
    return config


def table(df: pl.DataFrame, *, key: str, filename: str | None = None, column_config: dict | None = None,
          height: int | None = None) -> None:
    """A dataframe capped at MAX_ROWS_SHOWN rows (saying so) with a CSV download of all rows.
    Columns the caller does not configure get readable labels and date formats."""
    shown = df.head(MAX_ROWS_SHOWN)
    column_config = auto_config(shown, column_config)
    if height:  # a cap, not a size: a short table keeps its own height instead of blank rows
        height = min(height, ROW_PX * (shown.height + 1) + 3)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=column_config,
                 height=height if height else "auto", placeholder="–")
    if df.height > MAX_ROWS_SHOWN:
        st.caption(f"Showing the first {MAX_ROWS_SHOWN:,} of {df.height:,} rows; the download has all.")
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


def date_col(label: str, fmt: str = "D MMM YYYY", width: str | None = None):
    return st.column_config.DatetimeColumn(label, format=fmt, width=width)


def text_col(label: str, width: str | None = None, help: str | None = None):
    return st.column_config.TextColumn(label, width=width, help=help)


def humanize(df, *cols: str):
    """Enum codes as words for people: "in_progress" -> "In progress" (nulls stay null; tables show them
    with a dash)."""
    import polars as pl

    exprs = [pl.col(c).str.replace_all("_", " ").str.to_titlecase().str.slice(0, 1)
             + pl.col(c).str.replace_all("_", " ").str.slice(1) for c in cols]
    return df.with_columns(*(e.alias(c) for e, c in zip(exprs, cols, strict=True)))


def link_col(label: str, text: str):
    return st.column_config.LinkColumn(label, display_text=text)


def link_to(page_file: str, label: str, icon: str | None = None, query: dict | None = None) -> None:
    """A link to another page (by file name in pages/), or nothing when this user cannot open it."""
    from contextlib import suppress

    from streamlit.errors import StreamlitAPIException

    from app.navigation import PAGES_DIR

    with suppress(StreamlitAPIException):  # the page is not in this user's navigation
        st.page_link(str(PAGES_DIR / page_file), label=label, icon=icon, query_params=query)
