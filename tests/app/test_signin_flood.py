"""A real `streamlit run` server flooded with failed sign-ins over its websocket: 100 MiB of
megabyte-long names leave its memory where it was, and the right password still works from
another session afterwards."""

from __future__ import annotations

import secrets
import time

import psutil
import pytest

import e2e
import e2e_auth
from analytics.governance import users

pytestmark = [pytest.mark.slow]
PASSWORD = "correct horse battery"
MIB = 1 << 20
# glibc raises its mmap threshold after big buffers are freed, then keeps up to ~25 MiB of freed
# megabyte buffers in its heaps (measured: +-4 to +26 MiB over 4 runs); a fixed threshold returns them
# to the system. docs/security.md recommends it for the server; it is not a leak of ours.
ALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "131072"}


def _rss(proc) -> int:
    p = psutil.Process(proc.pid)
    return p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))


def _settled_rss(proc, *, quiet_mib: float = 1.0, within_s: float = 120) -> int:
    """RSS once it stops moving (the sign-in page warms the analytics stack up in the background)."""
    deadline, last, quiet = time.time() + within_s, _rss(proc), 0
    while time.time() < deadline:
        time.sleep(2)
        now = _rss(proc)
        quiet = quiet + 1 if abs(now - last) < quiet_mib * MIB else 0
        if quiet >= 4:  # still for 8 s
            return now
        last = now
    return last


def test_100_mib_of_failed_sign_ins_leave_rss_within_20_mib(lake, tmp_path):
    path = tmp_path / "users.toml"
    users.add_user(path, "admin", "admin", PASSWORD)
    # Streamlit keeps a disconnected session (its last widget values: here a 1 MiB name) for
    # reconnection during server.disconnectedSessionTTL (default 120 s); shortened so the test
    # measures what stays after that, which is what an attacker can pile up
    env = {"SCALEBOARD_USERS_FILE": str(path), "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "3", **ALLOC_ENV}
    with e2e.streamlit_server(lake.root, env=env) as (url, proc):
        # warm up with ordinary failures (first page, argon2 checks, audit writes and their memory
        # pools), so the baseline is a server that has already refused people
        s = e2e_auth.WsSession(url, source_ip="127.0.0.4")
        s.run()
        for i in range(12):
            texts = e2e_auth.WsSession.texts(
                s.run({"signin_name": f"warm{i}", "signin_password": "wrong password", "Sign in": True}))
            assert "Unknown user name or wrong password" in texts or "Too many" in texts
        s.close()
        baseline = _settled_rss(proc)

        sent, refused = 0, 0
        for _session in range(5):  # 5 sessions x 20 attempts x 1 MiB of name, every name different
            s = e2e_auth.WsSession(url, source_ip="127.0.0.3")  # the attacker
            s.run()
            for _ in range(20):
                name = secrets.token_hex(MIB // 2)
                texts = e2e_auth.WsSession.texts(
                    s.run({"signin_name": name, "signin_password": "x", "Sign in": True}))
                refused += ("Too many sign-in attempts" in texts) or ("Unknown user name" in texts)
                sent += len(name)
            s.close()
        right_after = _rss(proc)
        time.sleep(10)  # past the disconnected-session TTL
        after = _settled_rss(proc, within_s=30)
        grown = (after - baseline) / MIB
        print(f"\nRSS baseline {baseline / MIB:.1f} MiB, after {sent / MIB:.0f} MiB of failed sign-ins "
              f"{after / MIB:.1f} MiB (+{grown:.1f} MiB; right after the last attempt "
              f"{right_after / MIB:.1f} MiB); {refused} of 100 refused")
        assert sent >= 100 * MIB and refused == 100
        assert grown < 20, f"RSS grew by {grown:.1f} MiB"

        # the administrator, in a fresh session, still signs in (throttles are per client and name)
        s, texts = e2e_auth.ws_sign_in(url, "admin", PASSWORD, source_ip="127.0.0.2")
        assert "Signed in as" in texts, texts
        s.close()
