"""Real browser (Chromium): every page URL shows only the sign-in before sign-in; each role signs in
and sees exactly its pages; the administrator adds a user and loads a file; a malformed upload is
rejected with its row and column. Screenshots go to artifacts/roles_*.png."""

from __future__ import annotations

import contextlib
import re

import pytest

import e2e
from analytics.governance import users
from app.navigation import PAGES, ROLE_PAGES

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser"), pytest.mark.slow]
PASSWORD = "browser-test-password"
TITLES = {p.url_path: p.title for p in PAGES}


@pytest.fixture(scope="module")
def server(demo_root, tmp_path_factory):
    if not e2e.chromium_available():
        pytest.skip(e2e.CHROMIUM_MISSING)
    folder = tmp_path_factory.mktemp("roles")
    path = folder / "users.toml"
    for role in users.ROLES:
        users.add_user(path, role.replace("_", "-"), role, PASSWORD)
    # a private copy: the admin test writes (upload, audit) and must not touch the shared demo
    import shutil

    root = folder / "lakehouse"
    shutil.copytree(demo_root, root)
    with e2e.streamlit_server(root, env={"SCALEBOARD_USERS_FILE": str(path)}) as (url, _proc), \
            e2e.browser() as b:
        yield url, b, path, root


def _page(b):
    return b.new_page(viewport={"width": 1400, "height": 1000})


def _sign_in(page, name: str) -> None:
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for(timeout=e2e.DEADLINE_MS)


def _settled(page, timeout_ms: int = 120_000) -> None:
    """Wait until the script run finished (Streamlit's running indicator is gone)."""
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector(\"[data-testid='stStatusWidget'] [data-testid^='stStatusWidgetRunning']\")",
                           timeout=timeout_ms)
    page.wait_for_timeout(300)


def _nav_titles(page) -> set[str]:
    links = page.locator("[data-testid='stSidebarNav'] a")
    return {t.strip().splitlines()[-1].strip() for t in links.all_inner_texts() if t.strip()}  # icon name first


def test_every_page_url_shows_only_the_sign_in_when_signed_out(server):
    url, b, _, _ = server
    page = _page(b)
    for path in ["", *TITLES, "signin", "no-such-page"]:
        page.goto(f"{url}/{path}")
        page.get_by_text("Sign in to Scaleboard").wait_for(timeout=e2e.DEADLINE_MS)
        page.wait_for_timeout(500)
        body = page.inner_text("body")
        assert "Signed in as" not in body, path
        assert page.locator("[data-testid='stSidebarNav'] a").count() == 0, path
        assert page.locator("[data-testid='stMetric']").count() == 0, path
        assert page.locator("[data-testid='stDataFrame']").count() == 0, path
        for title in ("Portfolio overview", "Users & audit log", "Load data"):
            assert title not in body, (path, title)
    e2e.screenshot(page, "roles_signed_out")
    page.close()


def test_wrong_password_is_refused(server):
    url, b, _, _ = server
    page = _page(b)
    page.goto(url)
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Unknown user name or wrong password").wait_for(timeout=e2e.DEADLINE_MS)
    assert "Signed in as" not in page.inner_text("body")
    page.close()


@pytest.mark.parametrize("role", users.ROLES)
def test_each_role_sees_exactly_its_pages(server, role):
    url, b, _, _ = server
    page = _page(b)
    page.goto(url)
    _sign_in(page, role.replace("_", "-"))
    _settled(page)
    assert _nav_titles(page) == {TITLES[p] for p in ROLE_PAGES[role]}
    assert page.locator("[data-testid='stException']").count() == 0
    # every visible page opens in this session without a traceback
    for p in ROLE_PAGES[role]:
        page.locator("[data-testid='stSidebarNav'] a", has_text=TITLES[p]).first.click()
        _settled(page)
        # the title is the page's first element; wait for it (a first visit may import scipy etc.)
        page.locator("h1").first.wait_for(timeout=e2e.DEADLINE_MS)
        _settled(page)
        assert page.locator("h1").count() >= 1, (role, p)
        assert page.locator("[data-testid='stException']").count() == 0, (role, p)
    e2e.screenshot(page, f"roles_{role}")
    # typing a restricted URL starts a new session, restored from the session cookie with the same
    # role: the admin page is not among its pages, so the overview shows instead
    if "admin" not in ROLE_PAGES[role]:
        page.goto(f"{url}/admin")
        page.get_by_text("Signed in as").wait_for(timeout=e2e.DEADLINE_MS)
        page.get_by_role("heading", name="Portfolio overview").wait_for(timeout=e2e.DEADLINE_MS)
        _settled(page)
        assert "Users & audit log" not in page.inner_text("body")
        assert _nav_titles(page) == {TITLES[p] for p in ROLE_PAGES[role]}
    page.close()


def test_admin_adds_a_user_and_loads_data_and_sees_it_audited(server, tmp_path):
    url, b, path, root = server
    page = _page(b)
    page.goto(url)
    _sign_in(page, "admin")
    page.locator("[data-testid='stSidebarNav'] a", has_text="Users & audit log").click()
    page.get_by_text("Every write made through the app").wait_for(timeout=e2e.DEADLINE_MS)  # whole page drawn
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(2000)
    page.get_by_label("User name").fill("browser-new")
    page.get_by_label("Password (10+ characters)").fill("a-long-password-1")
    page.get_by_role("button", name="Add user").click()
    for _ in range(120):  # the server hashes with argon2 and reruns; poll the file, not a fixed sleep
        if "browser-new" in users.load(path):
            break
        page.wait_for_timeout(500)
    assert users.verify(path, "browser-new", "a-long-password-1") is not None

    model_id = next(iter(__import__("analytics.lakehouse.connection", fromlist=["connect"]).connect(root).sql(
        "select model_id from models limit 1").fetchall()))[0]
    bad = tmp_path / "feedback_bad.csv"
    bad.write_text(f"submitted_at,model_id,rating\n2026-10-01T10:00:00Z,{model_id},4\n2026-10-01 11:00:00,{model_id},9\n")
    good = tmp_path / "feedback_good.csv"
    good.write_text(f"submitted_at,model_id,rating,comment\n2026-10-02T10:00:00Z,{model_id},5,browser test\n")
    page.locator("[data-testid='stSidebarNav'] a", has_text="Load data").click()
    page.get_by_text("Columns of").first.wait_for(timeout=e2e.DEADLINE_MS)
    # pick the table by typing into the box (not the sidebar's); a click that lands during a rerun is
    # lost with the re-rendered widget, so try again until the page shows the chosen table
    for _ in range(4):
        _settled(page)
        page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").first.locator("input").click()
        page.keyboard.type("feedback")
        page.keyboard.press("Enter")
        with contextlib.suppress(Exception):
            page.get_by_text("Columns of feedback").first.wait_for(timeout=10_000)
            break
    page.get_by_text("Columns of feedback").first.wait_for(timeout=e2e.DEADLINE_MS)
    _settled(page)
    page.locator("input[type='file']").set_input_files(str(bad))
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Validate and load").click()
    page.get_by_text(re.compile(r"Nothing was loaded: 2 problem")).wait_for(timeout=e2e.DEADLINE_MS)
    _settled(page)
    assert page.locator("[data-testid='stDataFrame']").count() >= 1  # the problems by row and column
    page.wait_for_timeout(1000)
    e2e.screenshot(page, "roles_admin_upload_rejected")
    page.locator("[data-testid='stFileChipDeleteBtn']").first.click()
    page.wait_for_timeout(1000)
    page.locator("input[type='file']").set_input_files(str(good))
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Validate and load").click()
    page.get_by_text(re.compile(r"1 rows from 1 file\(s\) were loaded")).wait_for(timeout=e2e.DEADLINE_MS)
    _settled(page)
    e2e.screenshot(page, "roles_admin_upload_loaded")

    page.locator("[data-testid='stSidebarNav'] a", has_text="Users & audit log").click()
    page.get_by_text("Audit log").first.wait_for(timeout=e2e.DEADLINE_MS)
    _settled(page)
    page.wait_for_timeout(1000)
    e2e.screenshot(page, "roles_admin_audit")
    from analytics.governance import audit
    from analytics.lakehouse import connection

    log = audit.recent(connection.connect(root))
    assert {("admin", "users.add", "browser-new", "admin"), ("admin", "ingest", "feedback", "ingest")} <= set(
        log.select("actor", "action", "target", "page").iter_rows())
    page.close()
