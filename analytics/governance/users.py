"""The local user file: names, roles and salted argon2id password hashes (argon2-cffi).

Used when ``.streamlit/secrets.toml`` has no ``[auth]`` section (no OpenID Connect provider).
The file is TOML, one table per user, written atomically (temporary file + rename) with mode 0600::

    [users.alice]
    role = "admin"
    password_hash = "$argon2id$v=19$m=65536,t=3,p=4$…"
    business_units = []            # optional scoping of product managers; empty = all
    created_at = "2026-11-26T10:00:00+00:00"

Passwords are never stored or logged; only argon2id hashes with a random salt each.
Removing a user, or replacing one (``replace=True``), revokes their sessions
(``analytics.governance.sessions``) at once. Keep ``User`` extensible: new optional fields get defaults.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from analytics.errors import InputError
from analytics.governance import sessions
from analytics.lakehouse import storage

ROLES = ("executive", "data_scientist", "product_manager", "steward", "admin")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 accepts more; a cap stops a megabyte "password" from burning CPU

_hasher = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)
# verified against when the user does not exist, so a wrong name costs as long as a wrong password
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str = field(repr=False)
    business_units: tuple[str, ...] = ()
    created_at: str = ""


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise InputError(f"User name {name!r} is not allowed: use 1-64 letters, digits, '.', '_', '@' or '-', "
                         "starting with a letter or digit.")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"Unknown role {role!r}. Roles: {', '.join(ROLES)}.")
    return role


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InputError(f"The password must have at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"The password must have at most {MAX_PASSWORD} characters.")
    return password


# ---------------------------------------------------------------- the file

def load(path: Path | str) -> dict[str, User]:
    """All users in the file (an absent file means no users). Raises ``InputError`` if unreadable."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"The user file {path} is not valid TOML ({exc}).",
                         hint="Fix or delete it, then add users with `scaleboard users add`.") from exc
    out: dict[str, User] = {}
    for name, entry in (doc.get("users") or {}).items():
        if not isinstance(entry, dict) or entry.get("role") not in ROLES or not entry.get("password_hash"):
            continue  # a damaged entry never grants access
        out[name] = User(name, entry["role"], entry["password_hash"],
                         tuple(entry.get("business_units") or ()), str(entry.get("created_at", "")))
    return out


def _dump(users: dict[str, User]) -> str:
    # json.dumps yields valid TOML basic strings (\" \\ \n \uXXXX escapes)
    lines = ["# Scaleboard users: managed by `scaleboard users` and the Admin page. Do not commit.", ""]
    for u in sorted(users.values(), key=lambda u: u.name):
        lines += [f"[users.{json.dumps(u.name)}]", f"role = {json.dumps(u.role)}",
                  f"password_hash = {json.dumps(u.password_hash)}",
                  f"business_units = [{', '.join(json.dumps(b) for b in u.business_units)}]",
                  f"created_at = {json.dumps(u.created_at)}", ""]
    return "\n".join(lines)


def _write(path: Path, users: dict[str, User]) -> None:
    """Atomic and owner-only: temp file created with mode 0600 in the same folder, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(_dump(users))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[dict[str, User]]:
    """Read-modify-write under an exclusive lock so two admins never lose each other's change."""
    path = Path(path)
    with storage.exclusive(path.parent):
        users = load(path)
        before = dict(users)
        yield users
        if users != before:
            _write(path, users)


# ---------------------------------------------------------------- operations

def add_user(path: Path | str, name: str, role: str, password: str, *,
             business_units: tuple[str, ...] = (), replace: bool = False) -> User:
    """Create (or with ``replace`` reset) a user. Raises ``InputError`` for a bad name, role or
    password, or when the user exists and ``replace`` is false; the file is then unchanged."""
    check_name(name)
    check_role(role)
    check_password(password)
    with _locked(Path(path)) as users:
        if name in users and not replace:
            raise InputError(f"User '{name}' already exists.",
                             hint="Remove it first, or use --replace to reset its role and password.")
        user = User(name, role, _hasher.hash(password), tuple(business_units),
                    datetime.now(UTC).isoformat(timespec="seconds"))
        users[name] = user
    if replace:
        sessions.revoke_user(path, name)  # a reset password or role ends the old sessions
    return user


def remove_user(path: Path | str, name: str) -> None:
    with _locked(Path(path)) as users:
        if name not in users:
            raise InputError(f"There is no user '{name}'.", hint="`scaleboard users list` shows the users.")
        del users[name]
    sessions.revoke_user(path, name)  # signed out everywhere at once, not only on the next check


def list_users(path: Path | str) -> list[User]:
    return sorted(load(path).values(), key=lambda u: u.name)


def verify(path: Path | str, name: str, password: str) -> User | None:
    """The user if ``password`` matches, else ``None`` (same cost whether or not the user exists)."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        return None
    user = load(path).get(name) if isinstance(name, str) else None
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return user


def ensure_demo_users(path: Path | str) -> list[tuple[str, str, str]]:
    """If the user file does not exist, create one user per role with a random password and return
    ``[(name, role, password), …]`` so the caller can print them once; otherwise return ``[]``.

    The file is readable by its owner only (0600). Passwords are not kept anywhere else: to get new
    ones, delete the file and call again.
    """
    path = Path(path)
    if path.exists():
        return []
    created: list[tuple[str, str, str]] = []
    with _locked(path) as users:
        if users:  # another process created it meanwhile
            return []
        for role in ROLES:
            name = role.replace("_", "-")
            password = secrets.token_urlsafe(12)
            users[name] = User(name, role, _hasher.hash(password), (),
                               datetime.now(UTC).isoformat(timespec="seconds"))
            created.append((name, role, password))
    return created

