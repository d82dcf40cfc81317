"""The PDF layout never cuts a column: a wide table with long unbroken text stays inside the margins,
long tables repeat their header on every page, every page is numbered."""

from __future__ import annotations

import polars as pl
import pytest
from pdfcheck import boxes, page_texts, reader

from analytics.errors import InputError
from analytics.report.pdf import MARGIN, Report, Tile
from analytics.report.tables import Col

LONG_TOKEN = "upstream_feed_" + "x" * 180 + "_end"


def _wide(n_rows: int) -> tuple[pl.DataFrame, list[Col]]:
    df = pl.DataFrame({f"c{j}": [f"r{i}c{j} words to wrap" for i in range(n_rows)] for j in range(10)}).with_columns(
        big=pl.lit(123456789012.0), token=pl.lit(LONG_TOKEN))
    cols = [Col(f"c{j}", f"Column header number {j}") for j in range(10)]
    cols += [Col("big", "Big ($)", "number", "%,.0f"), Col("token", "Token", width=0.5)]
    return df, cols


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_wide_table_with_unbroken_text_stays_inside_the_margins(paper):
    df, cols = _wide(3)
    doc = Report(title="Layout", subtitle="twelve columns", footer=["Filters: none"], paper=paper)
    doc.tiles([Tile("A very long tile title that has to wrap", "Measured (A/B test)", "+$1.0M", "a note")] * 5)
    doc.heading("Wide")
    doc.table(df, cols)
    data = doc.build()
    runs = boxes(data)
    outside = [r for r in runs if r[1] < MARGIN - 0.5 or r[2] > r[3] - MARGIN + 0.5]
    assert not outside, outside[:3]
    joined = "".join(r[4] for r in runs)
    assert LONG_TOKEN in joined  # split over lines inside its cell, nothing lost
    assert joined.count("123,456,789,012") == 3


def test_a_long_table_repeats_its_header_and_numbers_every_page():
    df, cols = _wide(120)
    df, cols = df.drop("token"), cols[:-1]
    doc = Report(title="Layout", subtitle="many rows", footer=["Filters: none", "Data as of today"])
    doc.heading("Long")
    doc.table(df, cols)
    data = doc.build()
    pages = page_texts(data)
    assert 2 < len(pages) < 12 and len(reader(data).pages) == len(pages)
    assert "Long" in pages[0] and "r0c0 words to wrap" in pages[0]  # the heading starts with its rows
    for n, page in enumerate(pages, start=1):
        assert "Column header number 0" in page and f"Page {n} of {len(pages)}" in page
        assert "Filters: none" in page and "Data as of today" in page
    assert all(f"r{i}c9 words to wrap" in " ".join(pages) for i in range(120))


def test_unknown_paper_is_a_clear_error():
    with pytest.raises(InputError, match="a4, letter"):
        Report(title="x", subtitle="y", footer=[], paper="a3")
