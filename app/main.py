"""Entry point: page config, sign-in gate, navigation by role, shared sidebar filters, then the page.

Run with `streamlit run app/main.py` (or `make run`). Nothing but the sign-in page renders before
sign-in (see app.auth).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

# `streamlit run app/main.py` puts app/ on sys.path, not the project root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from app import auth, data, filters, health  # noqa: E402
from app.navigation import PAGES, PAGES_DIR, SECTIONS, SIGNIN, pages_for  # noqa: E402


def _page(spec) -> st.Page:
    return st.Page(PAGES_DIR / spec.file, title=spec.title, icon=spec.icon, url_path=spec.url_path,
                   default=spec.default)


def run() -> None:
    auth.protect_cache_clear()
    st.set_page_config(page_title="Scaleboard", page_icon=":material/monitoring:", layout="wide")

    user = auth.gate()
    if user is None:
        data.warm_up_in_background()
        # every page URL runs the sign-in page (no "page not found"), and after sign-in the rerun opens
        # the page that was asked for, if the role may see it
        st.navigation([_page(SIGNIN), *(_page(replace(SIGNIN, url_path=p.url_path, default=False)) for p in PAGES)],
                      position="hidden").run()
        st.stop()

    sections: dict[str, list] = {s: [] for s in SECTIONS}
    for spec in pages_for(user["role"]):
        sections[spec.section].append(_page(spec))
    page = st.navigation({k: v for k, v in sections.items() if v})
    st.session_state["_page"] = page.url_path
    auth.sidebar(user)
    filters.sidebar()
    health.banner()
    page.run()


if __name__ == "__main__":  # every session runs this file as a script
    run()
else:
    # imported by `streamlit run app/main.py` itself, which finds `app` here: the same App as
    # app/server.py (the session-cookie route, the endpoint guard)
    from app.server import app  # noqa: F401
