"""The server-side session store: signed cookies, hashed ids, expiry and revocation."""

from __future__ import annotations

import json

import pytest

from analytics.governance import sessions, users

IDLE, MAX = 8 * 3600, 24 * 3600


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "users.toml"
    users.add_user(p, "alice", "admin", "correct horse battery")
    return p


def _live(path, cookie, now):
    return sessions.lookup(path, sessions.parse(path, cookie), idle_timeout=IDLE, max_age=MAX, now=now)


def test_a_cookie_names_its_session_and_only_a_hash_is_stored(path):
    cookie, digest = sessions.create(path, "alice", "admin", idle_timeout=IDLE, max_age=MAX, now=1000.0)
    session_id, sig = cookie.split(".")
    assert len(session_id) == 43 and len(sig) == 64  # 256 random bits, HMAC-SHA256
    assert sessions.parse(path, cookie) == digest
    assert _live(path, cookie, 1000.0)["name"] == "alice"
    stored = (sessions.folder(path) / "store.json").read_text()
    assert session_id not in stored and digest in stored
    assert oct((sessions.folder(path) / "key").stat().st_mode & 0o777) == "0o600"


def test_edited_or_forged_cookies_get_nothing(path):
    cookie, digest = sessions.create(path, "alice", "admin", idle_timeout=IDLE, max_age=MAX, now=1000.0)
    session_id, sig = cookie.split(".")
    flip = {"a": "b"}.get(session_id[0], "a")
    for bad in (flip + session_id[1:] + "." + sig,  # id edited
                session_id + "." + sig[:-1] + ("0" if sig[-1] != "0" else "1"),  # signature edited
                digest + "." + sig,  # the stored hash used as an id
                session_id, "", "." * 3, cookie + "x" * 500, None, 42):
        assert sessions.parse(path, bad) is None, bad
        assert _live(path, bad, 1000.0) is None


def test_idle_timeout_max_age_and_last_seen(path):
    cookie, _ = sessions.create(path, "alice", "admin", idle_timeout=IDLE, max_age=MAX, now=0.0)
    assert _live(path, cookie, IDLE - 1) is not None  # and records activity
    assert _live(path, cookie, 2 * IDLE - 2) is not None  # active: not idle
    assert _live(path, cookie, 3 * IDLE) is None  # 8 h since the last activity
    cookie, _ = sessions.create(path, "alice", "admin", idle_timeout=IDLE, max_age=MAX, now=0.0)
    for t in range(3600, MAX, 3600):
        assert _live(path, cookie, float(t)) is not None
    assert _live(path, cookie, MAX + 1.0) is None  # however active


def test_revoke_one_session_or_all_of_a_user(path):
    a, da = sessions.create(path, "alice", "admin", idle_timeout=IDLE, max_age=MAX, now=0.0)
    b, _ = sessions.create(path, "alice", "admin", idle_timeout=IDLE, max_age=MAX, now=0.0)
    sessions.revoke(path, da)
    assert _live(path, a, 1.0) is None and _live(path, b, 1.0) is not None
    users.remove_user(path, "alice")  # removing the user revokes every session at once
    assert _live(path, b, 1.0) is None


def test_replacing_a_user_revokes_their_sessions(path):
    a, _ = sessions.create(path, "alice", "admin", idle_timeout=IDLE, max_age=MAX, now=0.0)
    users.add_user(path, "alice", "executive", "another long password", replace=True)
    assert _live(path, a, 1.0) is None


def test_the_store_stays_bounded(path):
    cookies = [sessions.create(path, "alice", "admin", idle_timeout=IDLE, max_age=MAX, now=float(i))[0]
               for i in range(sessions.MAX_PER_USER + 5)]
    assert _live(path, cookies[0], 30.0) is None  # the oldest beyond MAX_PER_USER went
    assert _live(path, cookies[-1], 30.0) is not None
    sessions.create(path, "alice", "admin", idle_timeout=IDLE, max_age=MAX, now=MAX * 2)  # expired ones go
    assert len(json.loads((sessions.folder(path) / "store.json").read_text())) == 1


def test_a_damaged_store_signs_nobody_in(path):
    cookie, _ = sessions.create(path, "alice", "admin", idle_timeout=IDLE, max_age=MAX, now=0.0)
    (sessions.folder(path) / "store.json").write_text("{not json")
    assert _live(path, cookie, 1.0) is None
