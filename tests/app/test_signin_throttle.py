"""Sign-in throttling and its side effects: concurrent bursts, bounded memory, the audit trail, the
admin unlock, and who may clear the shared cache."""

from __future__ import annotations

import threading

import pytest

from analytics.governance import throttle, users
from app import auth

PASSWORD = "correct horse battery"


@pytest.fixture
def env(lake, tmp_path, monkeypatch):
    path = tmp_path / "users.toml"
    users.add_user(path, "admin", "admin", PASSWORD)
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(lake.root))
    monkeypatch.setenv("SCALEBOARD_USERS_FILE", str(path))
    monkeypatch.setattr(auth, "GUARD", throttle.SignInGuard())
    monkeypatch.setattr(auth.st, "session_state", {})
    auth._audit_budget.update(tokens=10.0, skipped=0)
    return path


def _burst(n: int, attempt) -> list[str]:
    """Run ``attempt(i)`` in ``n`` threads released together; each returns an outcome label."""
    gate, out, lock = threading.Barrier(n), [], threading.Lock()

    def one(i: int) -> None:
        gate.wait()
        label = attempt(i)
        with lock:
            out.append(label)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_a_concurrent_burst_checks_no_more_passwords_than_allowed(env, monkeypatch):
    checked = []
    real_verify = users.verify

    def counting_verify(*a, **kw):
        checked.append(1)
        return real_verify(*a, **kw)

    monkeypatch.setattr(users, "verify", counting_verify)
    monkeypatch.setattr(auth, "client_id", lambda: "203.0.113.9")

    def attempt(i: int) -> str:
        try:
            auth.sign_in_local("admin", f"guess number {i}")
        except auth.AccessDenied as exc:
            return "throttled" if "Too many" in str(exc) else "wrong"
        return "signed in"

    outcomes = _burst(40, attempt)
    assert len(checked) == auth.GUARD.free_attempts == 3  # 40 at once, 3 passwords checked
    assert outcomes.count("wrong") == 3 and outcomes.count("throttled") == 37


def test_global_limit_holds_under_a_burst_from_many_clients():
    guard = throttle.SignInGuard(global_burst=30, global_rate=0.001)
    admitted = _burst(100, lambda i: "in" if guard.admit(f"10.0.{i}.1", "admin", now=1000.0) == 0 else "out")
    assert admitted.count("in") == 30


def test_fifty_people_arriving_within_ten_seconds_all_get_in():
    guard = throttle.SignInGuard()  # the server's defaults
    refused = [i for i in range(50) if guard.admit(f"10.1.0.{i}", f"user{i}", now=1000.0 + i * 0.2)]
    assert refused == []


def test_a_flood_from_many_addresses_still_costs_a_bounded_number_of_checks():
    guard = throttle.SignInGuard()
    # 10,000 attempts from 10,000 addresses over 60 s: burst + 60 s of refill get a password check
    admitted = sum(guard.admit(f"10.2.{i // 250}.{i % 250}", "admin", now=1000.0 + i * 0.006) == 0
                   for i in range(10_000))
    assert guard.global_burst + 59 * guard.global_rate <= admitted <= guard.global_burst + 60 * guard.global_rate
    # at about 0.16 s of CPU per argon2 check, the refill rate bounds a flood to half a core
    assert guard.global_rate * 0.16 <= 0.5


def test_password_checks_run_at_most_max_checks_at_once_and_the_rest_wait(env, monkeypatch):
    running, peak, lock = [0], [0], threading.Lock()
    real_verify = users.verify

    def watched_verify(*a, **kw):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            return real_verify(*a, **kw)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(users, "verify", watched_verify)
    clients = threading.local()
    monkeypatch.setattr(auth, "client_id", lambda: clients.ip)

    def attempt(i: int) -> str:
        clients.ip = f"203.0.113.{i}"
        try:
            auth.sign_in_local("admin", PASSWORD)
        except auth.AccessDenied as exc:
            return str(exc)
        return "signed in"

    outcomes = _burst(12, attempt)
    assert outcomes == ["signed in"] * 12  # nobody refused: they waited their turn
    assert peak[0] == auth.GUARD.max_checks == 2  # 64 MiB of argon2 memory each, at most 2 at once


def test_per_client_limit_across_names():
    guard = throttle.SignInGuard(client_burst=10, client_rate=10 / 60)
    results = [guard.admit("10.0.0.1", f"user{i}", now=0.0) for i in range(15)]
    assert sum(r == 0 for r in results) == 10
    assert results[10] == pytest.approx(6.0)  # one token per 6 s
    assert guard.admit("10.0.0.2", "user0", now=0.0) == 0  # another client is not affected
    guard.succeeded("10.0.0.1", "user3")  # a right password gives the client its token back
    assert guard.admit("10.0.0.1", "user3", now=0.0) == 0
    assert guard.admit("10.0.0.1", "user4", now=0.0) > 0


def test_back_off_doubles_per_client_and_name_and_success_resets_it():
    guard = throttle.SignInGuard(client_burst=1000)
    now = 0.0
    for _ in range(3):
        assert guard.admit("a", "admin", now=now) == 0
    assert guard.admit("a", "admin", now=now) == pytest.approx(1.0)
    waits = []
    for _ in range(4):
        now += guard.admit("a", "admin", now=now)  # wait exactly as told, then try
        assert guard.admit("a", "admin", now=now) == 0
        waits.append(guard.admit("a", "admin", now=now))
    assert waits == pytest.approx([2.0, 4.0, 8.0, 16.0])
    assert guard.admit("b", "admin", now=now) == 0  # the admin elsewhere: never locked out
    guard.succeeded("a", "admin")
    assert guard.admit("a", "admin", now=now) == 0
    g2 = throttle.SignInGuard(client_burst=10**9, global_burst=10**9)
    for i in range(60):
        g2.admit("a", "admin", now=float(i) * 10**6)
    assert g2.admit("a", "admin", now=59 * 10**6) == pytest.approx(g2.max_delay)  # capped at 15 min


def test_tables_stay_bounded_whatever_is_sent():
    guard = throttle.SignInGuard(max_entries=256, client_burst=10**9, global_burst=10**9)
    for i in range(5000):
        guard.admit(f"198.51.{i % 251}.{i}" + "x" * 1000, f"{i}" + "n" * 100_000, now=float(i))
    assert guard.size() <= 2 * 256
    assert all(len(c) <= throttle.MAX_CLIENT and len(n) <= throttle.MAX_NAME for c, n in guard._pairs)


@pytest.mark.slow  # a dozen real password checks (argon2)
def test_failed_sign_ins_are_audited_without_password_and_bounded(env, lake, monkeypatch):
    monkeypatch.setattr(auth, "client_id", lambda: "203.0.113.9")
    long_name = "mallory" + "z" * 5000
    with pytest.raises(auth.AccessDenied):
        auth.sign_in_local(long_name, "hunter2-secret-guess")
    rows = lake.con().sql("select actor, role, action, target, page, detail from audit_log").fetchall()
    assert len(rows) == 1
    actor, role, action, target, page, detail = rows[0]
    assert (action, target, page, role) == ("signin.failed", "203.0.113.9", "signin", None)
    assert actor == "signin:" + long_name[:throttle.MAX_NAME]
    assert "hunter2" not in "".join(map(str, rows[0]))
    for i in range(25):  # a flood writes a burst of 10, then one row per 30 s
        monkeypatch.setattr(auth, "client_id", lambda i=i: f"10.1.{i}.1")
        with pytest.raises(auth.AccessDenied):
            auth.sign_in_local(f"u{i}", "x")
    count = lake.con().sql("select count(*) from audit_log where action = 'signin.failed'").fetchall()[0][0]
    assert count <= 11


def test_admin_unlock_releases_a_throttled_name(env, monkeypatch):
    monkeypatch.setattr(auth, "client_id", lambda: "203.0.113.9")
    # a long back-off: a busy machine takes longer than the default 1 s to check three passwords
    monkeypatch.setattr(auth, "GUARD", throttle.SignInGuard(base_delay=600))
    for _ in range(3):
        with pytest.raises(auth.AccessDenied, match="wrong password"):
            auth.sign_in_local("admin", "nope nope nope")
    with pytest.raises(auth.AccessDenied, match="Too many"):
        auth.sign_in_local("admin", PASSWORD)
    auth.st.session_state["user"] = auth.test_session("steward")
    with pytest.raises(auth.AccessDenied):
        auth.unlock("admin")  # only admins
    auth.st.session_state["user"] = auth.test_session("admin", name="root")
    assert auth.unlock("admin") == 1
    auth.st.session_state.clear()
    assert auth.sign_in_local("admin", PASSWORD)["name"] == "admin"


class _FakeAppSession:
    def __init__(self, user):
        self._session_state = {"user": user} if user else {}


def test_only_a_signed_in_admin_can_clear_the_shared_cache(env):
    from streamlit.runtime.app_session import AppSession

    calls = []

    @auth.st.cache_data
    def expensive(x: int) -> int:
        calls.append(x)
        return x

    auth.protect_cache_clear()
    expensive(1)
    for user in (None, auth.test_session("executive"), {"name": "x", "role": "admin"}):  # last: forged
        AppSession._handle_clear_cache_request(_FakeAppSession(user))
        expensive(1)
    assert calls == [1]  # still cached
    AppSession._handle_clear_cache_request(_FakeAppSession(auth.test_session("admin")))
    expensive(1)
    assert calls == [1, 1]


def _panel():
    from app import auth as a

    a.unlock_panel()


def test_admin_releases_a_name_from_the_unlock_panel(env, monkeypatch):
    from streamlit.runtime.state import SessionStateProxy
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(auth.st, "session_state", SessionStateProxy())  # the real one, for AppTest
    monkeypatch.setattr(auth, "GUARD", throttle.SignInGuard(base_delay=600))
    for _ in range(3):  # three free attempts; the next must wait 10 minutes
        auth.GUARD.admit("203.0.113.9", "admin")
    at = AppTest.from_function(_panel, default_timeout=60)
    at.session_state["user"] = auth.test_session("admin", name="root")
    at.run()
    assert not at.exception, at.exception
    assert at.dataframe[0].value["name"].tolist() == ["admin"]
    at.button(key="_unlock_go").click().run()
    assert any("Released 1 throttled client(s) for admin" in s.value for s in at.success)
    assert auth.GUARD.attempts("203.0.113.9", "admin") == 0
    at2 = AppTest.from_function(_panel, default_timeout=60)
    at2.session_state["user"] = auth.test_session("steward")
    at2.run()
    assert at2.exception  # not an admin: AccessDenied, nothing shown
