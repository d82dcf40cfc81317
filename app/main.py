"""Entry point: page config, navigation by persona, shared sidebar filters, then the page.

Run with `streamlit run app/main.py` (or `make run`).
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run app/main.py` puts app/ on sys.path, not the project root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from app import filters  # noqa: E402
from app.navigation import PAGES, PAGES_DIR, SECTIONS  # noqa: E402

st.set_page_config(page_title="Scaleboard", page_icon=":material/monitoring:", layout="wide")

sections: dict[str, list] = {s: [] for s in SECTIONS}
for spec in PAGES:
    sections[spec.section].append(
        st.Page(PAGES_DIR / spec.file, title=spec.title, icon=spec.icon, url_path=spec.url_path,
                default=spec.default)
    )
page = st.navigation({k: v for k, v in sections.items() if v})
filters.sidebar()
page.run()
