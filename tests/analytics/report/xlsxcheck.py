"""Reading an XLSX back without a spreadsheet library: unzip it and parse the sheet XML (stdlib)."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
BUILTIN_FORMATS = {0: "General", 14: "mm-dd-yy"}


def _col_index(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


class Workbook:
    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        book = ET.fromstring(self.zip.read("xl/workbook.xml"))
        rels = ET.fromstring(self.zip.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        self.sheets = {s.get("name"): "xl/" + targets[s.get(f"{{{NS['r']}}}id")].lstrip("/").removeprefix("xl/")
                       for s in book.find("m:sheets", NS)}
        self.strings = []
        if "xl/sharedStrings.xml" in self.zip.namelist():
            sst = ET.fromstring(self.zip.read("xl/sharedStrings.xml"))
            self.strings = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in sst]
        styles = ET.fromstring(self.zip.read("xl/styles.xml"))
        fmts = dict(BUILTIN_FORMATS)
        for nf in styles.iter(f"{{{NS['m']}}}numFmt"):
            fmts[int(nf.get("numFmtId"))] = nf.get("formatCode")
        xfs = styles.find("m:cellXfs", NS)
        self.xf_format = [fmts.get(int(xf.get("numFmtId", 0)), f"builtin {xf.get('numFmtId')}") for xf in xfs]

    def names(self) -> list[str]:
        return list(self.sheets)

    def xml(self, sheet: str) -> ET.Element:
        return ET.fromstring(self.zip.read(self.sheets[sheet]))

    def cells(self, sheet: str) -> list[list[dict]]:
        """Rows of cells: {"type": "s"|"n"|"b"|None, "value": python value, "format": number format,
        "formula": formula text or None}."""
        rows = []
        for row in self.xml(sheet).iter(f"{{{NS['m']}}}row"):
            out: list[dict] = []
            for c in row.findall("m:c", NS):
                j = _col_index(c.get("r"))
                while len(out) < j:
                    out.append({"type": None, "value": None, "format": "General", "formula": None})
                v, f, t = c.find("m:v", NS), c.find("m:f", NS), c.get("t")
                raw = v.text if v is not None else None
                value = (self.strings[int(raw)] if t == "s" else raw == "1" if t == "b"
                         else float(raw) if raw is not None else None)
                out.append({"type": t or ("n" if raw is not None else None), "value": value,
                            "format": self.xf_format[int(c.get("s", 0))],
                            "formula": f.text if f is not None else None})
            rows.append(out)
        return rows

    def frozen_rows(self, sheet: str) -> int:
        pane = self.xml(sheet).find(".//m:pane", NS)
        return int(float(pane.get("ySplit", 0))) if pane is not None and pane.get("state") == "frozen" else 0
