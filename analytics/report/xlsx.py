"""XLSX next to CSV: typed cells (numbers, dates, booleans), the page's number formats, a frozen
header with filters, one sheet per table.

Text is always written as text (``write_string``), never through xlsxwriter's ``write``, which would
turn a cell starting with "=" into a live formula; that keeps the workbook formula-safe like the CSV.
Numbers keep their full precision and show the page's digits through the cell format. Times are
written in UTC (the header says so), as Excel has no time zones.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import polars as pl
import xlsxwriter

from analytics.report.tables import _PRINTF, Col, cols_from_config

_MOMENT_TO_EXCEL = {"YYYY": "yyyy", "MMMM": "mmmm", "MMM": "mmm", "MM": "mm", "DD": "dd", "D": "d",
                    "HH": "hh", "mm": "mm", "ss": "ss"}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
MAX_WIDTH = 60


@dataclass(frozen=True)
class Sheet:
    """One table: its sheet name, the frame and how each column is shown (default: from the frame)."""

    name: str
    df: pl.DataFrame
    cols: list[Col] = field(default_factory=list)


def number_format(col: Col) -> str | None:
    """The Excel number format showing what the page shows ("%,.0f" -> "#,##0")."""
    if col.kind in ("date", "datetime"):
        fmt = col.fmt or ("D MMM YYYY, HH:mm" if col.kind == "datetime" else "D MMM YYYY")
        return re.sub(r"YYYY|MMMM|MMM|MM|DD|D|HH|mm|ss", lambda m: _MOMENT_TO_EXCEL[m.group(0)], fmt)
    if col.kind != "number" or not col.fmt:
        return None
    presets = {"percent": "0.00%", "dollar": '"$"#,##0.00', "localized": "#,##0"}
    if col.fmt in presets:
        return presets[col.fmt]
    m = _PRINTF.match(col.fmt)
    if not m or m["conv"] not in "df":
        return None
    digits = "" if m["conv"] == "d" else "." + "0" * int(m["prec"] or 6)
    body = ("#,##0" if m["comma"] else "0") + (digits if digits != "." else "")
    pre, post = (f'"{t}"' if t else "" for t in (m["pre"], m["post"]))  # literal text around the number
    return f"{pre}{body}{post}"


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\."""
    base = _BAD_SHEET_CHARS.sub(" ", name).strip()[:31] or "Sheet"
    out, n = base, 2
    while out.lower() in taken:
        suffix = f" ({n})"
        out, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(out.lower())
    return out


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    """A workbook with one sheet per table (in order)."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "remove_timezone": False})
    header = book.add_format({"bold": True, "bg_color": "#eaeef2", "bottom": 1, "text_wrap": True,
                              "valign": "top"})
    formats: dict[str, object] = {}
    taken: set[str] = set()
    for sheet in sheets:
        cols = sheet.cols or cols_from_config(sheet.df, None)
        ws = book.add_worksheet(sheet_name(sheet.name, taken))
        for j, col in enumerate(cols):
            tz = col.kind == "datetime" and getattr(sheet.df.schema[col.name], "time_zone", None)
            ws.write_string(0, j, f"{col.label} (UTC)" if tz else col.label, header)
            nf = number_format(col)
            cell_format = formats.setdefault(nf, book.add_format({"num_format": nf})) if nf else None
            values = sheet.df[col.name].to_list()
            width = len(col.label)
            for i, v in enumerate(values, start=1):
                width = max(width, _write(ws, i, j, v, col, cell_format))
            ws.set_column(j, j, min(MAX_WIDTH, width + 2))
        ws.freeze_panes(1, 0)
        if cols:
            ws.autofilter(0, 0, max(sheet.df.height, 1), len(cols) - 1)
    book.close()
    return buf.getvalue()


def _write(ws, row: int, col_index: int, value, col: Col, cell_format) -> int:
    """Write one typed cell; return the characters it shows (for the column width)."""
    if value is None or (isinstance(value, float) and value != value):
        ws.write_blank(row, col_index, None, cell_format)
        return 1
    if isinstance(value, bool):
        ws.write_boolean(row, col_index, value)
        return 5
    if isinstance(value, int | float):
        ws.write_number(row, col_index, value, cell_format)
        return len(col.text(value))
    if isinstance(value, datetime):
        naive = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        ws.write_datetime(row, col_index, naive, cell_format)
        return len(col.text(value))
    if isinstance(value, date):
        ws.write_datetime(row, col_index, datetime(value.year, value.month, value.day), cell_format)
        return len(col.text(value))
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    ws.write_string(row, col_index, text)  # never a formula, whatever it starts with
    return min(len(text), MAX_WIDTH)
