"""Sign-in, sessions, roles and the permission matrix.

* Sign-in: when ``.streamlit/secrets.toml`` has an ``[auth]`` section, Streamlit's OpenID Connect
  (``st.login`` / ``st.user``) with the role taken from a claim (``[scaleboard_auth]``: ``roles_claim``,
  default ``"roles"``, and an optional ``role_map`` from IdP group names to roles; the data scope from
  ``business_units_claim``, default ``"business_units"``, mapped by ``business_unit_map``); otherwise the local
  user file (``analytics.governance.users``, argon2id hashes).
* Session: ``st.session_state["user"] = {"name", "role", "business_units", "source", "signed_in_at",
  "last_seen"}`` (epoch seconds). It ends after ``IDLE_TIMEOUT`` without activity or ``MAX_SESSION`` in
  total; local users are re-checked against the user file on every run (removed user = signed out).
  Session state lives on the server only; browsers cannot write it.
* Writes: call ``require("ledger.edit")`` (or ``require_role(...)``) on the server right before a
  write, then ``audit("ledger.edit", target, detail)``. ``PERMISSIONS`` is the matrix, as data.
* Tests: ``at.session_state["user"] = auth.test_session("admin")`` before ``at.run()``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

import streamlit as st

from analytics.errors import ScaleboardError
from analytics.governance import users
from analytics.governance.users import ROLES
from app.navigation import ROLE_PAGES

IDLE_TIMEOUT = 8 * 3600  # seconds without any interaction
MAX_SESSION = 24 * 3600  # seconds after sign-in, however active
LOCKOUT_FAILURES = 5  # failed passwords for one name within LOCKOUT_WINDOW lock it for LOCKOUT_WINDOW
LOCKOUT_WINDOW = 15 * 60
SESSION_KEY = "user"

# action -> roles allowed to perform it. Every write in the app checks one of these on the server.
PERMISSIONS: dict[str, frozenset[str]] = {
    "checklist.edit": frozenset({"admin", "executive", "product_manager", "steward"}),
    "ledger.edit": frozenset({"admin", "product_manager"}),
    "experiments.edit": frozenset({"admin", "product_manager", "data_scientist"}),
    "drift.acknowledge": frozenset({"admin", "data_scientist"}),
    "quality_tasks.edit": frozenset({"admin", "steward"}),
    "regulation.edit": frozenset({"admin", "steward"}),
    "fairness.signoff": frozenset({"admin", "steward"}),
    "catalog.edit": frozenset({"admin", "steward"}),
    "ingest.upload": frozenset({"admin"}),
    "users.manage": frozenset({"admin"}),
    "audit.read": frozenset({"admin"}),
}
# when an OIDC user carries several roles, the first one here wins
ROLE_PRECEDENCE = ("admin", "steward", "product_manager", "data_scientist", "executive")


class AccessDenied(ScaleboardError):
    """The signed-in user's role may not do this; nothing was written."""


# ---------------------------------------------------------------- configuration

def _secrets(section: str) -> dict:
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        found = st.secrets.get(section)
        return dict(found) if found else {}
    except Exception:  # an unreadable secrets file must not open the app
        return {}


def oidc_configured() -> bool:
    return bool(_secrets("auth"))


def oidc_providers() -> list[str | None]:
    """``[None]`` for a single unnamed provider, else the named ``[auth.<name>]`` sections."""
    auth = _secrets("auth")
    named = [k for k, v in auth.items() if hasattr(v, "keys")]
    return named or [None]


def role_from_claims(claims: dict, *, claim: str = "roles", role_map: dict | None = None) -> str | None:
    """The role for an OIDC identity: the claim's value(s) (a string or a list), mapped through
    ``role_map`` when given, the highest in ``ROLE_PRECEDENCE``; ``None`` if no known role."""
    raw = claims.get(claim)
    values = [raw] if isinstance(raw, str) else list(raw or []) if isinstance(raw, (list, tuple)) else []
    mapped = {(role_map or {}).get(v, v) for v in values if isinstance(v, str)}
    return next((r for r in ROLE_PRECEDENCE if r in mapped), None)


def units_from_claims(claims: dict, *, claim: str = "business_units",
                      unit_map: dict | None = None) -> tuple[str, ...]:
    """The data scope for an OIDC identity, mapped like roles: the claim's value(s), through
    ``unit_map`` when given (IdP group -> business unit); empty = unrestricted."""
    raw = claims.get(claim)
    values = [raw] if isinstance(raw, str) else list(raw or []) if isinstance(raw, (list, tuple)) else []
    return tuple(dict.fromkeys((unit_map or {}).get(v, v) for v in values if isinstance(v, str) and v))


def _users_file():
    from app import data

    return data.settings().users_file


# ---------------------------------------------------------------- sessions

def _new_session(name: str, role: str, source: str, business_units: Iterable[str] = ()) -> dict:
    now = time.time()
    return {"name": name, "role": role, "business_units": list(business_units), "source": source,
            "signed_in_at": now, "last_seen": now}


def test_session(role: str = "admin", name: str | None = None, business_units: Iterable[str] = ()) -> dict:
    """A valid signed-in session for AppTest: ``at.session_state["user"] = test_session("steward")``."""
    users.check_role(role)
    return _new_session(name or f"test-{role}", role, "test", business_units)


def _valid(session: object, now: float) -> bool:
    if not isinstance(session, dict) or session.get("role") not in ROLES or not session.get("name"):
        return False
    try:
        last, start = float(session["last_seen"]), float(session["signed_in_at"])
    except (KeyError, TypeError, ValueError):
        return False
    if now - last > IDLE_TIMEOUT or now - start > MAX_SESSION or last > now + 60:
        return False
    if session.get("source") == "local":  # revoked or re-roled users lose their session at once
        u = users.load(_users_file()).get(session["name"])
        return u is not None and u.role == session["role"] and \
            tuple(u.business_units) == tuple(session.get("business_units") or ())
    return True


def current_user() -> dict | None:
    """The signed-in user's session dict, or ``None`` (expired sessions are cleared)."""
    session = st.session_state.get(SESSION_KEY)
    if session is None:
        return None
    if not _valid(session, time.time()):
        st.session_state.pop(SESSION_KEY, None)
        st.session_state["auth_notice"] = "Your session has ended; please sign in again."
        if isinstance(session, dict) and session.get("source") == "oidc" and oidc_configured():
            st.logout()  # else the identity cookie would sign the user straight back in
        return None
    return session


def gate() -> dict | None:
    """Called first on every run: the signed-in user (activity recorded), or ``None``."""
    user = current_user()
    if user is None and oidc_configured() and st.user.is_logged_in:
        cfg = _secrets("scaleboard_auth")
        claims = st.user.to_dict()
        role = role_from_claims(claims, claim=cfg.get("roles_claim", "roles"), role_map=cfg.get("role_map"))
        name = str(claims.get("email") or claims.get("name") or claims.get("sub") or "")
        if role and name:
            units = units_from_claims(claims, claim=cfg.get("business_units_claim", "business_units"),
                                      unit_map=cfg.get("business_unit_map"))
            user = _new_session(name, role, "oidc", units)
            st.session_state[SESSION_KEY] = user
        else:
            st.session_state["auth_notice"] = (f"{name or 'This account'} has no Scaleboard role; ask an "
                                               "administrator to grant one.")
    if user is not None:
        user["last_seen"] = time.time()
    return user


# ---------------------------------------------------------------- local sign-in with lockout

_failures: dict[str, list[float]] = {}
_failures_lock = threading.Lock()


def _locked_out(name: str, now: float) -> bool:
    with _failures_lock:
        if len(_failures) > 10_000:  # names are attacker-chosen: keep the table bounded
            for key in [k for k, ts in _failures.items() if not ts or now - ts[-1] >= LOCKOUT_WINDOW]:
                del _failures[key]
        recent = [t for t in _failures.get(name, []) if now - t < LOCKOUT_WINDOW]
        _failures[name] = recent
        return len(recent) >= LOCKOUT_FAILURES


def sign_in_local(name: str, password: str) -> dict:
    """Check a name and password against the user file and start a session.

    Raises ``AccessDenied`` with the same message for an unknown name or a wrong password, and after
    ``LOCKOUT_FAILURES`` failures for one name within ``LOCKOUT_WINDOW``.
    """
    name = (name or "").strip()
    now = time.time()
    if _locked_out(name, now):
        raise AccessDenied("Too many failed sign-ins for this name; try again in 15 minutes.")
    user = users.verify(_users_file(), name, password or "")
    if user is None:
        with _failures_lock:
            _failures.setdefault(name, []).append(now)
        raise AccessDenied("Unknown user name or wrong password.")
    with _failures_lock:
        _failures.pop(name, None)
    session = _new_session(user.name, user.role, "local", user.business_units)
    st.session_state[SESSION_KEY] = session
    st.session_state.pop("auth_notice", None)
    return session


def sign_out() -> None:
    session = st.session_state.pop(SESSION_KEY, None) or {}
    for key in [k for k in st.session_state if not str(k).startswith("_")]:
        del st.session_state[key]
    if session.get("source") == "oidc" and oidc_configured():
        st.logout()  # clears Streamlit's identity cookie and reruns
    st.rerun()


# ---------------------------------------------------------------- authorisation

def can(action: str, user: dict | None = None) -> bool:
    user = user if user is not None else current_user()
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}; declare it in app.auth.PERMISSIONS")
    return bool(user) and user.get("role") in PERMISSIONS[action]


def require_role(*roles: str) -> dict:
    """The signed-in user if their role is one of ``roles``; else raise ``AccessDenied``."""
    user = current_user()
    if user is None:
        raise AccessDenied("You are not signed in (or your session ended); sign in again.")
    if user["role"] not in roles:
        raise AccessDenied(f"Your role ({user['role']}) may not do this; it needs one of: {', '.join(roles)}.")
    return user


def require(action: str) -> dict:
    """``require_role`` for a declared action of ``PERMISSIONS`` (e.g. ``require("ledger.edit")``)."""
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}; declare it in app.auth.PERMISSIONS")
    return require_role(*sorted(PERMISSIONS[action]))


def allowed_pages(role: str) -> tuple[str, ...]:
    """URL paths of the pages ``role`` may open (``app.navigation.ROLE_PAGES``)."""
    return ROLE_PAGES.get(role, ())


def allowed_business_units(user: dict | None = None) -> tuple[str, ...] | None:
    """The user's data scope: business units from the user file or the identity provider's claim;
    ``None`` = all (admins always see everything). Enforced in every query through ``Scope``."""
    user = user if user is not None else current_user()
    if (user or {}).get("role") == "admin":
        return None
    units = tuple((user or {}).get("business_units") or ())
    return units or None


def audit(action: str, target: str = "", detail: str = "") -> str:
    """Record a write by the signed-in user from the current page in the audit log."""
    from analytics.governance import audit as audit_log
    from app import data

    user = current_user() or {}
    return audit_log.record(data.root(), actor=user.get("name", "anonymous"), role=user.get("role"),
                            action=action, target=target, page=st.session_state.get("_page", ""),
                            detail=detail)


def sidebar(user: dict) -> None:
    """Who is signed in, with which role, and the sign-out control."""
    with st.sidebar:
        st.caption(f"Signed in as **{user['name']}** ({user['role'].replace('_', ' ')})")
        if st.button("Sign out", key="_sign_out", icon=":material/logout:"):
            sign_out()


def guard_page(*roles: str) -> dict:
    """Top of a restricted page: stop with a message unless the user's role is one of ``roles``
    (navigation already hides the page; this guards direct script runs)."""
    try:
        return require_role(*roles)
    except AccessDenied as exc:
        st.error(str(exc), icon=":material/block:")
        st.stop()
        raise  # unreachable: st.stop raises
