"""Reading a PDF back for tests: its text (pypdf) and where each piece of text sits on the page."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def text(data: bytes) -> str:
    """The PDF's text, pages joined, whitespace runs collapsed to one space."""
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader(data).pages))


def page_texts(data: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", p.extract_text()) for p in reader(data).pages]


def boxes(data: bytes) -> list[tuple[int, float, float, float, str]]:
    """(page, x from, x to, page width, text) per text run, from the text and drawing matrices
    (widths measured with the Helvetica metrics the layout uses)."""
    out = []
    for n, page in enumerate(reader(data).pages, start=1):
        width = float(page.mediabox.width)

        def visit(t, cm, tm, font, size, n=n, width=width):
            t = t.strip()
            if t:
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                name = (font or {}).get("/BaseFont", "/Helvetica")[1:]
                out.append((n, x, x + stringWidth(t, name, size) * tm[0] * cm[0], width, t))

        page.extract_text(visitor_text=visit)
    return out


def in_order(haystack: str, needles: list[str]) -> bool:
    """Every needle occurs in ``haystack``, each after the previous one (a table row read left to right)."""
    at = 0
    for needle in needles:
        found = haystack.find(needle, at)
        if found < 0:
            return False
        at = found + len(needle)
    return True
