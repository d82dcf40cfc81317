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
    PageSpec("registry.py", "Model registry", ":material/inventory_2:", "Data science", "registry"),
    PageSpec("quality.py", "Data quality", ":material/rule:", "Governance", "quality"),
    PageSpec("catalog.py", "Catalog & lineage", ":material/account_tree:", "Governance", "catalog"),
    PageSpec("compliance.py", "Compliance & fairness", ":material/gavel:", "Governance", "compliance"),
    PageSpec("admin.py", "Users & audit log", ":material/admin_panel_settings:", "Admin", "admin"),
    PageSpec("ingest.py", "Load data", ":material/upload_file:", "Admin", "ingest"),
)

# The only page shown before sign-in (app.auth gates everything else).
SIGNIN = PageSpec("signin.py", "Sign in", ":material/login:", "", "signin", default=True)

# Which pages each role sees (url_path). Writes are checked separately: app.auth.PERMISSIONS.
_ALL = tuple(p.url_path for p in PAGES)
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "executive": ("overview", "readiness", "adoption", "roi", "experiments", "registry", "compliance"),
    "product_manager": ("overview", "readiness", "adoption", "roi", "experiments", "drift", "registry",
                        "quality", "catalog"),
    "data_scientist": ("overview", "readiness", "adoption", "roi", "experiments", "drift", "registry",
                       "quality", "catalog", "compliance"),
    "steward": ("overview", "readiness", "quality", "catalog", "compliance", "drift", "registry"),
    "admin": _ALL,
}


def pages_for(role: str) -> tuple[PageSpec, ...]:
    """The page specs a role may open, in PAGES order (nothing for an unknown role)."""
    allowed = set(ROLE_PAGES.get(role, ()))
    return tuple(p for p in PAGES if p.url_path in allowed)


SECTIONS = ("Executive", "Product", "Data science", "Governance", "Admin")
