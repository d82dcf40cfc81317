"""The page list, grouped by persona. Titles live here, not in file names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str
    section: str
    url_path: str
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview.py", "Overview", ":material/dashboard:", "Executive", "overview", default=True),
    PageSpec("readiness.py", "Readiness checklist", ":material/checklist:", "Executive", "readiness"),
    PageSpec("adoption.py", "Adoption", ":material/group:", "Product", "adoption"),
    PageSpec("roi.py", "Value & ROI", ":material/payments:", "Product", "roi"),
    PageSpec("experiments.py", "Experiments", ":material/science:", "Product", "experiments"),
    PageSpec("drift.py", "Drift explorer", ":material/query_stats:", "Data science", "drift"),
    PageSpec("quality.py", "Data quality", ":material/rule:", "Governance", "quality"),
    PageSpec("catalog.py", "Catalog & lineage", ":material/account_tree:", "Governance", "catalog"),
    PageSpec("compliance.py", "Compliance & fairness", ":material/gavel:", "Governance", "compliance"),
)

SECTIONS = ("Executive", "Product", "Data science", "Governance", "Admin")
