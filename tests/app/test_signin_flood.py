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


def _rss(proc) -> int:
    p = psutil.Process(proc.pid)
    return p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))


def _settled_rss(proc, *, quiet_mib: float = 1.0, within_s: float = 120) -> int:
    """RSS once it stops moving (the sign-in page warms the analytics stack up in the background)."""
    deadline, last = time.time() + within_s, _rss(proc)
    while time.time() < deadline:
        time.sleep(3)
        now = _rss(proc)
        if abs(now - last) < quiet_mib * MIB:
            return now
        last = now
    return last


def test_100_mib_of_failed_sign_ins_leave_rss_within_20_mib(lake, tmp_path):
    path = tmp_path / "users.toml"
    users.add_user(path, "admin", "admin", PASSWORD)
    with e2e.streamlit_server(lake.root, env={"SCALEBOARD_USERS_FILE": str(path)}) as (url, proc):
        for _ in range(2):  # warm up: the first page, a wrong password (argon2), the audit write
            s, texts = e2e_auth.ws_sign_in(url, "admin", "wrong password 1")
            assert "Unknown user name or wrong password" in texts
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
        after = _settled_rss(proc, within_s=30)
        grown = (after - baseline) / MIB
        print(f"\nRSS baseline {baseline / MIB:.1f} MiB, after {sent / MIB:.0f} MiB of failed sign-ins "
              f"{after / MIB:.1f} MiB (+{grown:.1f} MiB); {refused} of 100 refused")
        assert sent >= 100 * MIB and refused == 100
        assert grown < 20, f"RSS grew by {grown:.1f} MiB"

        # the administrator, in a fresh session, still signs in (throttles are per client and name)
        s, texts = e2e_auth.ws_sign_in(url, "admin", PASSWORD, source_ip="127.0.0.2")
        assert "Signed in as" in texts, texts
        s.close()
