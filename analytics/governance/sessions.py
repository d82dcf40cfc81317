"""Server-side sessions for local sign-in, so a reload, a new tab or a bookmark stay signed in.

The browser holds only a cookie ``<session id>.<HMAC-SHA256 of it>``: the id is 256 random bits; the
store keeps its SHA-256, never the id itself, so a copy of the store cannot be replayed as a cookie.
An edited cookie fails the HMAC (constant-time compare) before the store is read; an unknown, revoked,
idle (``idle_timeout``) or too old (``max_age``) session is nothing.

The store is a folder next to the user file (``<users file folder>/sessions/``, mode 0700) holding
``store.json`` (hash -> name, role, created, last_seen; written atomically under a folder lock) and
``key`` (the HMAC key, 32 random bytes, mode 0600, created on first use). Several server processes
may share it. Revoking (sign-out, user removed, admin) deletes the record, so every tab holding the
cookie is signed out on its next interaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from analytics.lakehouse import storage

MAX_PER_USER = 20  # oldest sessions of one user beyond this are revoked
TOUCH_EVERY = 60  # seconds: last_seen is written at most this often per session
MAX_COOKIE = 200  # characters; longer cookie values are refused unread


def folder(users_file: Path | str) -> Path:
    return Path(users_file).with_name("sessions")


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _key(base: Path) -> bytes:
    path = base / "key"
    with contextlib.suppress(FileNotFoundError):
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    with storage.exclusive(base):
        with contextlib.suppress(FileNotFoundError):
            key = path.read_bytes()
            if len(key) >= 32:
                return key
        key = secrets.token_bytes(32)
        _write_bytes(path, key)
        return key


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _load(base: Path) -> dict[str, dict]:
    try:
        doc = json.loads((base / "store.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        return {}  # a damaged store signs everybody out; it never signs anybody in
    return doc if isinstance(doc, dict) else {}


@contextlib.contextmanager
def _locked(base: Path) -> Iterator[dict[str, dict]]:
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    with storage.exclusive(base):
        store = _load(base)
        before = json.dumps(store, sort_keys=True)
        yield store
        if json.dumps(store, sort_keys=True) != before:
            _write_bytes(base / "store.json", json.dumps(store, sort_keys=True).encode())


def _sign(base: Path, session_id: str) -> str:
    return hmac.new(_key(base), session_id.encode(), hashlib.sha256).hexdigest()


def _expired(rec: dict, now: float, idle_timeout: float, max_age: float) -> bool:
    try:
        return now - float(rec["last_seen"]) > idle_timeout or now - float(rec["created"]) > max_age
    except (KeyError, TypeError, ValueError):
        return True


def create(users_file: Path | str, name: str, role: str, *, idle_timeout: float, max_age: float,
           now: float | None = None) -> tuple[str, str]:
    """Start a session; returns ``(cookie value, session hash)``. The cookie value is shown once."""
    now = time.time() if now is None else now
    base = folder(users_file)
    session_id = secrets.token_urlsafe(32)  # 256 bits
    digest = _hash(session_id)
    with _locked(base) as store:
        for h in [h for h, r in store.items() if _expired(r, now, idle_timeout, max_age)]:
            del store[h]
        mine = sorted((r.get("created", 0), h) for h, r in store.items() if r.get("name") == name)
        for _, h in mine[:max(0, len(mine) - MAX_PER_USER + 1)]:
            del store[h]
        store[digest] = {"name": name, "role": role, "created": now, "last_seen": now}
    return f"{session_id}.{_sign(base, session_id)}", digest


def parse(users_file: Path | str, cookie: object) -> str | None:
    """The session hash named by a cookie value if its signature holds, else ``None``."""
    if not isinstance(cookie, str) or len(cookie) > MAX_COOKIE or cookie.count(".") != 1:
        return None
    session_id, sig = cookie.split(".")
    base = folder(users_file)
    if not session_id or not (base / "key").exists():
        return None
    if not hmac.compare_digest(sig.encode(), _sign(base, session_id).encode()):
        return None
    return _hash(session_id)


def lookup(users_file: Path | str, digest: str | None, *, idle_timeout: float, max_age: float,
           now: float | None = None) -> dict | None:
    """The live record ``{name, role, created, last_seen}`` for a session hash, else ``None``.
    Records ``last_seen`` (at most every ``TOUCH_EVERY`` seconds)."""
    if not digest:
        return None
    now = time.time() if now is None else now
    base = folder(users_file)
    rec = _load(base).get(digest)
    if rec is None or _expired(rec, now, idle_timeout, max_age):
        return None
    if now - float(rec["last_seen"]) >= TOUCH_EVERY:
        with _locked(base) as store:
            if digest in store:
                store[digest]["last_seen"] = now
                rec = store[digest]
    return dict(rec)


def revoke(users_file: Path | str, digest: str | None) -> None:
    if digest:
        with _locked(folder(users_file)) as store:
            store.pop(digest, None)


def revoke_user(users_file: Path | str, name: str) -> int:
    """Revoke every session of ``name``; returns how many there were."""
    with _locked(folder(users_file)) as store:
        gone = [h for h, r in store.items() if r.get("name") == name]
        for h in gone:
            del store[h]
    return len(gone)
