"""Sign-in gate, sessions, roles and server-side write checks, through AppTest and directly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.governance import throttle, users
from app import auth
from app.navigation import PAGES, ROLE_PAGES, pages_for

PROJECT = Path(__file__).resolve().parents[2]
MAIN = str(PROJECT / "app" / "main.py")
PASSWORD = "correct horse battery"


@pytest.fixture
def env(lake, tmp_path, monkeypatch):
    lake.put("models", [{"model_id": "m1", "name": "Churn", "business_unit": "Retail", "stage": "production",
                         "task": "classification"}])
    path = tmp_path / "users.toml"
    for role in users.ROLES:
        users.add_user(path, role.replace("_", "-"), role, PASSWORD)
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(lake.root))
    monkeypatch.setenv("SCALEBOARD_USERS_FILE", str(path))
    auth.GUARD.unlock()
    return path


def _registered(at: AppTest) -> set[str]:
    """The pages the last run's st.navigation offered (file stems; url paths equal them)."""
    return {Path(str(info.get("script_path"))).stem for info in at._registered_pages.values()}


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="signin_name").set_value(name)
    at.text_input(key="signin_password").set_value(password)
    at.button[0].click()
    return at.run()


def test_only_the_sign_in_page_renders_before_sign_in(env):
    at = AppTest.from_file(MAIN, default_timeout=60).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in to Scaleboard"]
    assert _registered(at) == {"signin"}
    assert not at.sidebar.children or not any(w for w in at.sidebar.multiselect)  # no filters, no data


def test_direct_request_for_a_page_while_signed_out_shows_sign_in(env):
    # find the hash a browser at /roi would request, then request it without a session
    signed = AppTest.from_file(MAIN, default_timeout=60)
    signed.session_state["user"] = auth.test_session("admin")
    signed.run()
    hashes = {info["url_pathname"]: h for h, info in signed._registered_pages.items()}
    for url in ("roi", "admin", "ingest", "drift"):
        at = AppTest.from_file(MAIN, default_timeout=60)
        at._page_hash = hashes[url]
        at.run()
        assert not at.exception
        assert [t.value for t in at.title] == ["Sign in to Scaleboard"], url


def test_wrong_password_is_refused_then_right_one_signs_in(env):
    at = AppTest.from_file(MAIN, default_timeout=60).run()
    _sign_in(at, "steward", "not the password")
    assert any("Unknown user name or wrong password" in e.value for e in at.error)
    assert "user" not in at.session_state
    _sign_in(at, "steward", PASSWORD)
    assert not at.exception
    assert at.session_state["user"]["role"] == "steward"
    assert _registered(at) == set(ROLE_PAGES["steward"])
    assert any("Signed in as **steward**" in c.value for c in at.sidebar.caption)


def test_guesses_slow_down_the_guessing_client_but_never_lock_the_name(env, monkeypatch):
    client = {"ip": "203.0.113.9"}
    monkeypatch.setattr(auth, "client_id", lambda: client["ip"])
    # a back-off longer than any run on a loaded machine (the default 1 s passes while a busy
    # machine checks the third password): the test asserts the rule, not the machine's speed
    monkeypatch.setattr(auth, "GUARD", throttle.SignInGuard(base_delay=600))
    at = AppTest.from_file(MAIN, default_timeout=60).run()
    for _ in range(auth.GUARD.free_attempts):
        _sign_in(at, "admin", "nope nope nope")
    _sign_in(at, "admin", PASSWORD)  # right password, but this client must wait first
    assert any("Too many sign-in attempts from here" in e.value for e in at.error)
    assert "user" not in at.session_state
    client["ip"] = "198.51.100.7"  # the real admin, elsewhere: not locked out
    at2 = AppTest.from_file(MAIN, default_timeout=60).run()
    _sign_in(at2, "admin", PASSWORD)
    assert not at2.exception
    assert at2.session_state["user"]["name"] == "admin"


@pytest.mark.parametrize("role", users.ROLES)
def test_navigation_shows_only_the_role_pages(env, role):
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.session_state["user"] = auth.test_session(role)
    at.run()
    assert not at.exception
    assert _registered(at) == set(ROLE_PAGES[role])
    assert [p.url_path for p in pages_for(role)] == [p.url_path for p in PAGES if p.url_path in ROLE_PAGES[role]]


def test_admin_pages_are_admin_only_in_the_matrix():
    for role, pages in ROLE_PAGES.items():
        assert ("admin" in pages) == (role == "admin")
        assert ("ingest" in pages) == (role == "admin")
        assert "overview" in pages  # everybody has a landing page
    assert set(ROLE_PAGES) == set(users.ROLES)
    assert set(ROLE_PAGES["admin"]) == {p.url_path for p in PAGES}


def test_idle_session_expires(env):
    at = AppTest.from_file(MAIN, default_timeout=60)
    old = auth.test_session("admin")
    old["last_seen"] = time.time() - auth.IDLE_TIMEOUT - 1
    at.session_state["user"] = old
    at.run()
    assert [t.value for t in at.title] == ["Sign in to Scaleboard"]
    assert any("session has ended" in w.value for w in at.warning)


def test_removed_local_user_loses_the_session(env):
    at = AppTest.from_file(MAIN, default_timeout=60).run()
    _sign_in(at, "executive", PASSWORD)
    assert at.session_state["user"]["name"] == "executive"
    users.remove_user(env, "executive")
    at.run()
    assert [t.value for t in at.title] == ["Sign in to Scaleboard"]


def test_sign_out(env):
    at = AppTest.from_file(MAIN, default_timeout=60).run()
    _sign_in(at, "admin", PASSWORD)
    at.sidebar.button(key="_sign_out").click().run()
    assert "user" not in at.session_state
    assert [t.value for t in at.title] == ["Sign in to Scaleboard"]


def test_forged_sessions_are_refused():
    now = time.time()
    assert not auth._valid({"name": "x", "role": "root", "last_seen": now, "signed_in_at": now}, now)
    assert not auth._valid({"name": "x", "role": "admin"}, now)
    assert not auth._valid("admin", now)
    assert not auth._valid({"name": "x", "role": "admin", "last_seen": now, "signed_in_at": now - auth.MAX_SESSION - 1}, now)
    assert auth._valid(auth.test_session("steward"), now)


def test_permission_matrix_is_enforced_server_side(env, monkeypatch):
    state: dict = {}
    monkeypatch.setattr(auth.st, "session_state", state)
    with pytest.raises(auth.AccessDenied, match="not signed in"):
        auth.require("ledger.edit")
    for role in users.ROLES:
        state["user"] = auth.test_session(role)
        for action, allowed in auth.PERMISSIONS.items():
            if role in allowed:
                assert auth.require(action)["role"] == role
            else:
                with pytest.raises(auth.AccessDenied, match=f"Your role \\({role}\\) may not do this"):
                    auth.require(action)
    assert auth.PERMISSIONS["users.manage"] == {"admin"} and auth.PERMISSIONS["ingest.upload"] == {"admin"}
    with pytest.raises(KeyError):
        auth.require("typo.action")


def test_role_from_oidc_claims():
    assert auth.role_from_claims({"roles": "steward"}) == "steward"
    assert auth.role_from_claims({"roles": ["executive", "admin"]}) == "admin"
    assert auth.role_from_claims({"groups": ["ds-team"]}, claim="groups",
                                 role_map={"ds-team": "data_scientist"}) == "data_scientist"
    assert auth.role_from_claims({"roles": ["superuser"]}) is None
    assert auth.role_from_claims({}) is None


def test_admin_can_add_a_user_on_the_admin_page_and_it_is_audited(env, lake):
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.session_state["user"] = auth.test_session("admin", name="root-admin")
    at.run()
    at.switch_page(str(PROJECT / "pages" / "admin.py")).run()
    assert not at.exception and [t.value for t in at.title] == ["Users & audit log"]
    at.text_input(key="au_name").set_value("newbie")
    at.selectbox(key="au_role").set_value("steward")
    at.text_input(key="au_password").set_value("long enough password")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert users.verify(env, "newbie", "long enough password").role == "steward"
    rows = lake.con().sql("select actor, role, action, target, page from audit_log").fetchall()
    assert rows == [("root-admin", "admin", "users.add", "newbie", "admin")]


def test_non_admin_cannot_run_admin_page_script(env):
    at = AppTest.from_file(str(PROJECT / "pages" / "admin.py"), default_timeout=60)
    at.session_state["user"] = auth.test_session("executive")
    at.run()
    assert any("may not do this" in e.value for e in at.error)
    assert not at.title


def test_upload_page_loads_and_rejects(env, lake):
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.session_state["user"] = auth.test_session("admin")
    at.run()
    at.switch_page(str(PROJECT / "pages" / "ingest.py")).run()
    assert not at.exception and [t.value for t in at.title] == ["Load data"]
    at.selectbox(key="ingest_table").set_value("models").run()
    at.button(key="ingest_go").click().run()  # no file chosen
    assert any("Choose at least one" in e.value for e in at.error)


def test_product_manager_scoped_to_business_units(env):
    """The scoped user's filter offers only their units (the data scope itself is enforced in every
    query: tests/analytics/product/test_scope.py and tests/pages/test_page_scope.py)."""
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.session_state["user"] = auth.test_session("product_manager", business_units=["Retail"])
    at.run()
    assert not at.exception
    assert at.multiselect(key="f_bu").options == ["Retail"]
    assert auth.allowed_business_units(at.session_state["user"]) == ("Retail",)
    other = auth.test_session("product_manager")  # no scope: all units
    assert auth.allowed_business_units(other) is None
    # an administrator is never scoped, whatever the user file says
    assert auth.allowed_business_units(auth.test_session("admin", business_units=["Retail"])) is None


def test_business_units_from_oidc_claims_like_roles():
    assert auth.units_from_claims({"business_units": "Retail"}) == ("Retail",)
    assert auth.units_from_claims({"groups": ["grp-retail", "grp-fin", "x"]}, claim="groups",
                                  unit_map={"grp-retail": "Retail", "grp-fin": "Finance"}) == ("Retail", "Finance", "x")
    assert auth.units_from_claims({}) == ()


OIDC_SECRETS = {
    "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
             "client_id": "id", "client_secret": "secret",
             "server_metadata_url": "https://idp.example.com/.well-known/openid-configuration"},
    "scaleboard_auth": {"roles_claim": "groups", "role_map": {"grp-data-science": "data_scientist"},
                        "business_units_claim": "units"},
}


def test_oidc_identity_with_a_mapped_role_is_signed_in(env):
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.secrets = OIDC_SECRETS
    at.user = {"is_logged_in": True, "email": "dana@example.com", "groups": ["grp-data-science"],
               "units": ["Retail"]}
    at.run()
    assert not at.exception
    assert at.session_state["user"]["name"] == "dana@example.com"
    assert at.session_state["user"]["business_units"] == ["Retail"]  # the claim maps to the data scope
    assert at.session_state["user"]["role"] == "data_scientist"
    assert at.session_state["user"]["source"] == "oidc"
    assert _registered(at) == set(ROLE_PAGES["data_scientist"])


def test_oidc_without_role_or_not_logged_in_shows_only_sign_in(env):
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.secrets = OIDC_SECRETS
    at.user = {"is_logged_in": True, "email": "eve@example.com", "groups": ["grp-marketing"]}
    at.run()
    assert "user" not in at.session_state
    assert [t.value for t in at.title] == ["Sign in to Scaleboard"]
    assert any("has no Scaleboard role" in w.value for w in at.warning)
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.secrets = OIDC_SECRETS
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["Sign in with single sign-on"]
    assert not at.text_input  # no password form when single sign-on is configured
