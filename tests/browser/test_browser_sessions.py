"""Real browser (Chromium): a local sign-in survives a reload, a second tab and a bookmark of another
page through an HttpOnly cookie; signing out in one tab signs the other out on its next interaction;
an edited cookie and a removed user get the sign-in page."""

from __future__ import annotations

import time

import pytest

import e2e
import e2e_auth
from analytics.governance import users

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "browser-session-password"
TIMEOUT = 90_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not e2e.chromium_available():
        pytest.skip(e2e.CHROMIUM_MISSING)
    folder = tmp_path_factory.mktemp("sessions")
    root = folder / "lakehouse"
    root.mkdir()  # an empty lakehouse: pages load fast and say so
    path = folder / "users.toml"
    with e2e.streamlit_server(root, env={"SCALEBOARD_USERS_FILE": str(path)}) as (url, _proc), \
            e2e.browser() as b:
        yield url, b, path


def _user(path, name: str, role: str = "admin") -> str:
    users.add_user(path, name, role, PASSWORD, replace=True)
    return name


def _signed_in(page) -> None:
    page.get_by_text("Signed in as").wait_for(timeout=TIMEOUT)
    assert page.get_by_label("User name").count() == 0


def _signed_out(page) -> None:
    page.get_by_text("Sign in to Scaleboard").wait_for(timeout=TIMEOUT)
    page.get_by_text("Signed in as").wait_for(state="detached", timeout=TIMEOUT)  # stale elements go
    page.get_by_label("User name").wait_for(timeout=TIMEOUT)


def _session_cookie(context, deadline_s: float = 60) -> dict:
    """The session cookie, once the signed-in page has fetched it."""
    deadline = time.time() + deadline_s
    while time.time() < deadline:
        found = [c for c in context.cookies() if c["name"] == "scaleboard_session"]
        if found:
            return found[0]
        time.sleep(0.5)
    raise AssertionError("no session cookie was set")


def _signed_in_context(server, name: str):
    url, b, path = server
    context = b.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    e2e_auth.sign_in_page(page, name, PASSWORD)
    return context, page, _session_cookie(context)


def test_reload_second_tab_and_bookmark_stay_signed_in(server):
    url, _, path = server
    context, page, cookie = _signed_in_context(server, _user(path, "sess-admin"))
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain http on 127.0.0.1; Secure is set behind TLS
    assert "scaleboard_session" not in page.evaluate("document.cookie")  # scripts cannot read it
    page.reload()
    _signed_in(page)
    tab = context.new_page()
    tab.goto(url)
    _signed_in(tab)
    bookmark = context.new_page()
    bookmark.goto(f"{url}/readiness")
    _signed_in(bookmark)
    bookmark.get_by_role("heading", name="Readiness checklist").wait_for(timeout=TIMEOUT)
    e2e.screenshot(bookmark, "sessions_bookmark_signed_in", height=1000)
    context.close()


def test_sign_out_in_one_tab_signs_out_the_other(server):
    url, _, path = server
    context, first, _ = _signed_in_context(server, _user(path, "sess-two-tabs"))
    second = context.new_page()
    second.goto(url)
    _signed_in(second)
    first.get_by_role("button", name="Sign out").click()
    _signed_out(first)
    # the browser itself drops the (revoked) cookie: the sign-in page asks the route to expire it
    deadline = time.monotonic() + 60
    while any(c["name"] == "scaleboard_session" for c in context.cookies()) and time.monotonic() < deadline:
        first.wait_for_timeout(250)
    assert not [c for c in context.cookies() if c["name"] == "scaleboard_session"]
    # the other tab's next interaction finds the session revoked
    second.locator("[data-testid='stSidebarNav'] a", has_text="Readiness checklist").click()
    _signed_out(second)
    second.reload()
    _signed_out(second)
    context.close()


def test_an_edited_or_forged_cookie_gets_the_sign_in_page(server):
    url, b, path = server
    context, _, cookie = _signed_in_context(server, _user(path, "sess-edited"))
    session_id, sig = cookie["value"].split(".")
    edited = ("A" if session_id[0] != "A" else "B") + session_id[1:] + "." + sig
    for value in (edited, session_id + "." + "0" * 64, "forged"):
        other = b.new_context()
        other.add_cookies([{**cookie, "value": value}])
        page = other.new_page()
        page.goto(url)
        _signed_out(page)
        other.close()
    page = context.new_page()  # the untouched cookie still works
    page.goto(url)
    _signed_in(page)
    context.close()


def test_a_removed_user_is_signed_out(server):
    url, _, path = server
    context, page, _ = _signed_in_context(server, _user(path, "sess-removed", "executive"))
    users.remove_user(path, "sess-removed")
    page.locator("[data-testid='stSidebarNav'] a", has_text="Readiness checklist").click()
    _signed_out(page)
    fresh = context.new_page()
    fresh.goto(url)
    _signed_out(fresh)
    context.close()
