"""The PDF layout shared by the reports (ReportLab platypus; no system libraries).

A ``Report`` collects flowables: a title, KPI tiles, headings, tables that wrap their text and
always fit the page width (column widths are shares of the frame, so no column is ever cut), and
vector charts (a Vega-Lite spec -> SVG with ``vl_convert`` -> a ReportLab drawing with ``svglib``).
Every page carries a footer with the filters, the "data as of" line and "Page n of N".
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

import polars as pl
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from analytics.errors import InputError
from analytics.report.tables import Col

PAPERS = {"a4": A4, "letter": LETTER}
MARGIN = 14 * mm
FOOTER_H = 13 * mm
KEEP_WHOLE_ROWS = 16
LONG_TABLE_START = 90  # points: a heading, a header row and about three rows
INK, MUTED, RULE, TILE_BG = colors.HexColor("#1f2328"), colors.HexColor("#59636e"), \
    colors.HexColor("#d1d9e0"), colors.HexColor("#f6f8fa")
GOOD, BAD = colors.HexColor("#1a7f37"), colors.HexColor("#cf222e")

_S = {
    "title": ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=17, leading=21, textColor=INK),
    "sub": ParagraphStyle("sub", fontName="Helvetica", fontSize=8.5, leading=11, textColor=MUTED),
    "h2": ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=11.5, leading=14, textColor=INK,
                         spaceBefore=8, spaceAfter=4),
    "cell": ParagraphStyle("cell", fontName="Helvetica", fontSize=7.8, leading=9.6, textColor=INK),
    "num": ParagraphStyle("num", fontName="Helvetica", fontSize=7.8, leading=9.6, textColor=INK,
                          alignment=TA_RIGHT),
    "head": ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=7.8, leading=9.6, textColor=INK),
    "headnum": ParagraphStyle("headnum", fontName="Helvetica-Bold", fontSize=7.8, leading=9.6, textColor=INK,
                              alignment=TA_RIGHT),
    "tile_t": ParagraphStyle("tile_t", fontName="Helvetica", fontSize=7.8, leading=9.5, textColor=MUTED),
    "tile_v": ParagraphStyle("tile_v", fontName="Helvetica-Bold", fontSize=15, leading=18, textColor=INK),
    "tile_w": ParagraphStyle("tile_w", fontName="Helvetica-Bold", fontSize=10.5, leading=18, textColor=INK),
    "tile_n": ParagraphStyle("tile_n", fontName="Helvetica", fontSize=7.3, leading=9, textColor=MUTED),
    "foot": ParagraphStyle("foot", fontName="Helvetica", fontSize=7, leading=8.6, textColor=MUTED),
    "note": ParagraphStyle("note", fontName="Helvetica-Oblique", fontSize=7.8, leading=9.6, textColor=MUTED),
}


@dataclass(frozen=True)
class Tile:
    """One headline figure: title, value and delta as the page prints them, a note under them;
    ``good`` colours the delta (True green, False red, None grey)."""

    title: str
    value: str
    delta: str | None = None
    note: str | None = None
    good: bool | None = None


def paper_size(paper: str) -> tuple[float, float]:
    try:
        return PAPERS[paper.lower()]
    except KeyError:
        raise InputError(f"Unknown paper size '{paper}'; choose one of {', '.join(PAPERS)}.") from None


def _p(text: str, style: str) -> Paragraph:
    return Paragraph(escape(text), _S[style])


class Report:
    """A report being laid out; ``build()`` returns the PDF bytes."""

    def __init__(self, *, title: str, subtitle: str, footer: Sequence[str], paper: str = "a4",
                 author: str = "Scaleboard") -> None:
        self.size = paper_size(paper)
        self.width = self.size[0] - 2 * MARGIN  # the frame: every table and chart fits in it
        self.title, self.footer, self.author = title, list(footer), author
        self.story: list[Flowable] = [_p(title, "title"), Spacer(1, 2), _p(subtitle, "sub"), Spacer(1, 6)]
        self._pending: list[Flowable] = []

    # ------------------------------------------------------------ content

    def heading(self, text: str) -> None:
        """A section heading; it stays on the page of what follows it."""
        self._pending.append(_p(text, "h2"))

    def note(self, text: str) -> None:
        self._add(_p(text, "note"))

    def _add(self, flowable: Flowable, *, whole: bool = True) -> None:
        """Append ``flowable`` with the pending heading; ``whole`` keeps both on one page."""
        items, self._pending = [*self._pending, flowable], []
        if whole:
            self.story.append(KeepTogether(items))
        else:  # a long table splits by row: start it here unless its heading and first rows would not fit
            self.story.extend([CondPageBreak(LONG_TABLE_START), *items])

    def tiles(self, tiles: Sequence[Tile], per_row: int = 4) -> None:
        """Headline figures in a grid of equal boxes."""
        w = self.width / per_row
        rows = []
        for i in range(0, len(tiles), per_row):
            # the boxes of one row are as tall as its tallest (a tile with a note or a delta)
            row = tiles[i:i + per_row]
            height = max(self._tile(t, w - 4).wrap(w - 4, self.size[1])[1] for t in row)
            rows.append([self._tile(t, w - 4, height) for t in row])
        rows[-1] += [""] * (per_row - len(rows[-1]))
        grid = Table(rows, colWidths=[w] * per_row)
        grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                                  ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
        self._add(grid)

    def _tile(self, t: Tile, width: float, height: float | None = None) -> Table:
        # a word as the value (e.g. an attribution) gets a smaller size so it never breaks mid-word
        value_style = "tile_v" if len(t.value) <= 12 else "tile_w"
        parts = [[_p(t.title, "tile_t")], [_p(t.value, value_style)]]
        if t.delta:
            colour = {True: GOOD, False: BAD}.get(t.good, MUTED)
            style = ParagraphStyle("d", parent=_S["tile_n"], textColor=colour, fontName="Helvetica-Bold")
            parts.append([Paragraph(escape(f"{t.delta} vs previous period"), style)])
        if t.note:
            parts.append([_p(t.note, "tile_n")])
        style = TableStyle([("BACKGROUND", (0, 0), (-1, -1), TILE_BG), ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                            ("LEFTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), ("VALIGN", (0, 0), (-1, -1), "TOP")])
        box = Table(parts, colWidths=[width], style=style)
        if height is not None:  # stretch the last line so the box is ``height`` tall
            natural = box.wrap(width, height * 2)[1]
            if natural < height - 0.1:
                heights = list(box._rowHeights)
                heights[-1] += height - natural
                box = Table(parts, colWidths=[width], rowHeights=heights, style=style)
        return box

    def table(self, df: pl.DataFrame, cols: Sequence[Col], *, empty: str = "No rows.",
              max_rows: int | None = None, more: str = "") -> None:
        """``df`` as a table of the ``cols``, each cell printed as the page prints it. Widths are
        shares of the page width; text wraps inside its cell. ``max_rows`` caps the rows (then
        ``more`` says where the rest is)."""
        if df.is_empty():
            self.note(empty)
            return
        shown = df.head(max_rows) if max_rows else df
        total = sum(c.width for c in cols)
        widths = [self.width * c.width / total for c in cols]
        right = [c.kind == "number" for c in cols]
        rows = [[_p(c.label, "headnum" if r else "head") for c, r in zip(cols, right, strict=True)]]
        for rec in shown.iter_rows(named=True):
            rows.append([_p(c.text(rec[c.name]), "num" if r else "cell") for c, r in zip(cols, right, strict=True)])
        t = Table(rows, colWidths=widths, repeatRows=1, splitByRow=True)
        t.setStyle(TableStyle([
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK), ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]))
        # a short table moves to the next page whole (with its heading) rather than leaving two rows
        self._add(t, whole=len(rows) <= KEEP_WHOLE_ROWS)
        if max_rows and df.height > max_rows:
            self.note(f"Showing {max_rows} of {df.height} rows. {more}".strip())

    def charts(self, charts: Sequence[tuple[str, object | None, str]], shares: Sequence[float] | None = None,
               height_px: int | None = None) -> None:
        """Altair charts side by side: (heading, chart or None, text when there is no chart), each
        given a share of the page width and drawn as vector graphics."""
        shares = shares or [1.0] * len(charts)
        widths = [self.width * s / sum(shares) for s in shares]
        cells = []
        for (heading, chart, empty), w in zip(charts, widths, strict=True):
            body = vega_drawing(chart_spec(chart, w - 8, height_px), w - 8) if chart is not None else _p(empty, "note")
            cells.append([_p(heading, "h2"), body])
        t = Table([cells], colWidths=widths)
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 8)]))
        self._add(t)

    # ------------------------------------------------------------ output

    def build(self) -> bytes:
        buf = io.BytesIO()
        doc = SimpleDocTemplate(buf, pagesize=self.size, leftMargin=MARGIN, rightMargin=MARGIN,
                                topMargin=MARGIN, bottomMargin=MARGIN + FOOTER_H, title=self.title,
                                author=self.author, creator="Scaleboard")
        footer = self.footer

        class _Canvas(_NumberedCanvas):
            footer_lines = footer

        doc.build(self.story, canvasmaker=_Canvas)
        return buf.getvalue()


class _NumberedCanvas(rl_canvas.Canvas):
    """Draws the footer once the page count is known ("Page n of N")."""

    footer_lines: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802  (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for state in self._pages:
            self.__dict__.update(state)
            self._footer(len(self._pages))
            super().showPage()
        super().save()

    def _footer(self, n_pages: int) -> None:
        w, _ = self._pagesize
        page = f"Page {self._pageNumber} of {n_pages}"
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, MARGIN + FOOTER_H - 2, w - MARGIN, MARGIN + FOOTER_H - 2)
        text = Paragraph("<br/>".join(escape(line) for line in self.footer_lines), _S["foot"])
        _, h = text.wrap(w - 2 * MARGIN - 30 * mm, FOOTER_H)
        text.drawOn(self, MARGIN, MARGIN + FOOTER_H - 5 - h)
        self.setFont("Helvetica", 7)
        self.setFillColor(MUTED)
        self.drawRightString(w - MARGIN, MARGIN + FOOTER_H - 5 - 8.6 + 2, page)


_warm: threading.Thread | None = None


def warm_up() -> None:
    """Start the Vega-Lite renderer in a background thread (its first call costs ~0.5 s of CPU, spent
    natively), so it overlaps with opening the lakehouse and the queries. Idempotent."""
    global _warm
    if _warm is None:
        def work() -> None:
            import vl_convert as vlc

            vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{"a": 1}]},
                                 "encoding": {"x": {"field": "a", "type": "quantitative"}}})

        _warm = threading.Thread(target=work, name="vega-warm-up", daemon=True)
        _warm.start()


def vega_drawing(spec: dict, width_pt: float) -> Flowable:
    """A Vega-Lite spec as a vector drawing ``width_pt`` wide (SVG from vl_convert, read by svglib)."""
    import vl_convert as vlc
    from svglib.svglib import svg2rlg

    svg = _opacity_as_fill(vlc.vegalite_to_svg(spec))
    drawing = svg2rlg(io.StringIO(svg))
    scale = width_pt / drawing.width
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    drawing.scale(scale, scale)
    return drawing


def _opacity_as_fill(svg: str) -> str:
    """svglib ignores the ``opacity`` attribute Vega writes on marks (a 15% band would print solid):
    spell it as fill and stroke opacity, which it reads."""
    def fix(tag: re.Match) -> str:
        t = tag.group(0)
        if "fill-opacity" in t or "stroke-opacity" in t:
            return t
        return re.sub(r' opacity="([\d.]+)"', r' fill-opacity="\1" stroke-opacity="\1"', t)
    return re.sub(r"<[^>]+>", fix, svg)


def chart_spec(chart, width_pt: float, height_px: int | None = None) -> dict:
    """An Altair chart's Vega-Lite spec sized for ``width_pt`` of paper (svglib reads 1 px as 0.75 pt),
    with print-sized fonts."""
    props = {"width": int(width_pt / 0.75) - 90}
    if height_px:
        props["height"] = height_px
    # the builders' output is tested against the schema; validating again costs ~1 s on the first chart
    spec = chart.properties(**props).to_dict(validate=False)
    spec.setdefault("config", {}).update({"font": "Helvetica", "view": {"stroke": None},
                                          "axis": {"labelFontSize": 10, "titleFontSize": 10},
                                          # month labels on a narrow column of paper would overlap
                                          "axisTemporal": {"labelAngle": -40},
                                          "legend": {"labelFontSize": 10}})
    return _plain(spec)


def _plain(value):
    """The spec with DuckDB's Decimal sums as floats (the renderer reads JSON numbers only)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return float(value) if isinstance(value, Decimal) else value
