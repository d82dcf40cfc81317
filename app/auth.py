"""Sign-in, sessions, roles and the permission matrix.

* Sign-in: when ``.streamlit/secrets.toml`` has an ``[auth]`` section, Streamlit's OpenID Connect
  (``st.login`` / ``st.user``) with the role taken from a claim (``[scaleboard_auth]``: ``roles_claim``,
  default ``"roles"``, and an optional ``role_map`` from IdP group names to roles; the data scope from
  ``business_units_claim``, default ``"business_units"``, mapped by ``business_unit_map``); otherwise the local
  user file (``analytics.governance.users``, argon2id hashes).
* Session: ``st.session_state["user"] = {"name", "role", "business_units", "source", "signed_in_at",
  "last_seen"}`` (epoch seconds; local sessions add ``sid``, the hash of their server-side session).
  It ends after ``IDLE_TIMEOUT`` without activity or ``MAX_SESSION`` in total; local users are
  re-checked against the user file and the session store on every run (removed user or sign-out in
  another tab = signed out). A local sign-in also sets an HttpOnly cookie (``app.session_cookie``) so
  a reload, a new tab or a bookmark restore the session (``analytics.governance.sessions``).
* Sign-in attempts are throttled per client and name, per client and globally (``GUARD``,
  ``analytics.governance.throttle``); failures go to the audit log (bounded). No account lockout.
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
from analytics.governance import sessions, throttle, users
from analytics.governance.users import ROLES
from app import session_cookie
from app.safe_text import md

IDLE_TIMEOUT = 8 * 3600  # seconds without any interaction
MAX_SESSION = 24 * 3600  # seconds after sign-in, however active
SESSION_KEY = "user"
MAX_NAME_INPUT = throttle.MAX_NAME  # sign-in form caps (the server cuts longer input too)
MAX_PASSWORD_INPUT = users.MAX_PASSWORD

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
        if u is None or u.role != session["role"] or \
                tuple(u.business_units) != tuple(session.get("business_units") or ()):
            return False
        rec = sessions.lookup(_users_file(), session.get("sid"), idle_timeout=IDLE_TIMEOUT, max_age=MAX_SESSION)
        return rec is not None and rec["name"] == session["name"]  # signed out in another tab = revoked
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
    if user is None and not oidc_configured():
        user = _restore_from_cookie()
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


# ---------------------------------------------------------------- local sign-in, throttled

GUARD = throttle.SignInGuard()  # per server process; see analytics.governance.throttle
_audit_budget = {"tokens": 10.0, "stamp": time.monotonic(), "skipped": 0}
_audit_lock = threading.Lock()
AUDIT_RATE = 1 / 30  # failed sign-ins written to the audit log per second, after a burst of 10


def client_id() -> str:
    """Who is knocking, for throttling: the IP address the server sees (a proxy's, behind one)."""
    try:
        return str(st.context.ip_address or "unknown")
    except Exception:  # no script run context (direct calls in tests)
        return "unknown"


def _audit_failed_sign_in(client: str, name: str, why: str) -> None:
    """One audit row per failed sign-in, at most a burst of 10 then one per 30 s (the rest are
    counted and reported in the next row), so a flood cannot fill the lakehouse. Name cut to 64
    printable characters; the password is never passed here."""
    now = time.monotonic()
    with _audit_lock:
        b = _audit_budget
        b["tokens"] = min(10.0, b["tokens"] + (now - b["stamp"]) * AUDIT_RATE)
        b["stamp"] = now
        if b["tokens"] < 1:
            b["skipped"] += 1
            return
        b["tokens"] -= 1
        skipped, b["skipped"] = b["skipped"], 0
    shown = "".join(ch if ch.isprintable() else "?" for ch in name[:throttle.MAX_NAME]) or "(empty)"
    detail = why + (f" ({skipped} more failed sign-ins not logged before this one)" if skipped else "")
    try:
        from analytics.governance import audit as audit_log
        from app import data

        audit_log.record(data.root(), actor=f"signin:{shown}", action="signin.failed", target=client[:64],
                         page="signin", detail=detail)
    except Exception:  # the audit log must never turn a refusal into an error page
        pass


def sign_in_local(name: str, password: str) -> dict:
    """Check a name and password against the user file and start a session.

    Raises ``AccessDenied`` with the same message for an unknown name or a wrong password, and
    asks to wait while this client is throttled (``GUARD``). Inputs are cut before anything is kept.
    """
    client = client_id()
    name = (name if isinstance(name, str) else "")[:throttle.MAX_NAME + 1].strip()
    password = password if isinstance(password, str) else ""
    if wait := GUARD.admit(client, name):
        _audit_failed_sign_in(client, name, f"throttled: wait {wait:.0f} s")
        raise AccessDenied(f"Too many sign-in attempts from here; try again in {_duration(wait)}.")
    user = None
    if len(name) <= throttle.MAX_NAME and len(password) <= users.MAX_PASSWORD:
        with GUARD.checking():  # at most GUARD.max_checks argon2 checks (64 MiB each) at once
            user = users.verify(_users_file(), name, password)
    if user is None:
        _audit_failed_sign_in(client, name, "unknown user name or wrong password")
        raise AccessDenied("Unknown user name or wrong password.")
    GUARD.succeeded(client, name)
    cookie, digest = sessions.create(_users_file(), user.name, user.role, idle_timeout=IDLE_TIMEOUT,
                                     max_age=MAX_SESSION)
    session = _new_session(user.name, user.role, "local", user.business_units)
    session["sid"] = digest
    st.session_state[SESSION_KEY] = session
    st.session_state["_session_ticket"] = session_cookie.issue(cookie, MAX_SESSION)
    st.session_state.pop("auth_notice", None)
    return session


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} seconds" if seconds < 90 else f"{seconds / 60:.0f} minutes"


def _restore_from_cookie() -> dict | None:
    """A local session named by this browser's cookie (reload, new tab, bookmark), if still live."""
    try:
        raw = st.context.cookies.get(session_cookie.COOKIE)
    except Exception:
        return None
    path = _users_file()
    digest = sessions.parse(path, raw)
    rec = sessions.lookup(path, digest, idle_timeout=IDLE_TIMEOUT, max_age=MAX_SESSION)
    if rec is None:
        return None
    user = users.load(path).get(rec["name"])
    if user is None or user.role != rec["role"]:
        sessions.revoke(path, digest)
        return None
    session = _new_session(user.name, user.role, "local", user.business_units)
    session.update(sid=digest, signed_in_at=float(rec["created"]))
    st.session_state[SESSION_KEY] = session
    st.session_state.pop("auth_notice", None)
    return session


def unlock(name: str | None = None) -> int:
    """Admin unlock: forget the sign-in throttles of ``name`` (every name if ``None``) on this server."""
    me = require("users.manage")
    count = GUARD.unlock(name)
    audit("signin.unlock", target=name or "(all)", detail=f"{count} throttled client(s) released by {me['name']}")
    return count


def unlock_panel() -> None:
    """Admin page section: the clients now throttled, by name, and a button to release a name."""
    require("users.manage")
    blocked = GUARD.blocked_names()
    st.subheader("Throttled sign-ins")
    if not blocked:
        st.caption("No client is waiting to sign in on this server.")
        return
    st.dataframe([{"client": c, "name": n, "attempts": a, "wait (s)": round(w)} for c, n, a, w in blocked],
                 hide_index=True)
    name = st.selectbox("Release name", sorted({n for _, n, _, _ in blocked}), key="_unlock_name")
    if st.button("Release", key="_unlock_go", icon=":material/lock_open:"):
        st.success(f"Released {unlock(name)} throttled client(s) for {md(name)}.")


def sign_out() -> None:
    session = st.session_state.pop(SESSION_KEY, None) or {}
    if session.get("sid"):
        sessions.revoke(_users_file(), session["sid"])  # every tab holding the cookie, at once
    for key in [k for k in st.session_state if not str(k).startswith("_")]:
        del st.session_state[key]
    st.session_state.pop("_session_ticket", None)
    st.session_state["_clear_cookie"] = True  # the sign-in page expires it in the browser
    if session.get("source") == "oidc" and oidc_configured():
        st.logout()  # clears Streamlit's identity cookie and reruns
    st.rerun()


def protect_cache_clear() -> None:
    """Streamlit clears every user's cache when any connected browser asks (a "clear_cache"
    websocket message, no sign-in needed). Let only a signed-in admin do that; anyone else clears
    nothing but their own session state. There is no setting for this, hence the patch."""
    from streamlit.runtime.app_session import AppSession

    original = AppSession._handle_clear_cache_request
    if getattr(original, "_scaleboard_guarded", False):
        return

    def guarded(self) -> None:
        try:
            user = self._session_state[SESSION_KEY] if SESSION_KEY in self._session_state else None  # noqa: SIM401 (no .get)
        except Exception:
            user = None
        if isinstance(user, dict) and user.get("role") == "admin" and _valid(user, time.time()):
            original(self)
        else:
            self._session_state.clear()

    guarded._scaleboard_guarded = True  # type: ignore[attr-defined]
    AppSession._handle_clear_cache_request = guarded


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
        st.caption(f"Signed in as **{md(user['name'])}** ({user['role'].replace('_', ' ').capitalize()})")
        if st.button("Sign out", key="_sign_out", icon=":material/logout:"):
            sign_out()
        ticket = st.session_state.get("_session_ticket")
        if ticket and session_cookie.pending(ticket):  # until the browser has fetched its cookie
            import streamlit.components.v1 as components

            components.html(session_cookie.setter_html(ticket), height=0)
        else:
            st.session_state.pop("_session_ticket", None)


def expire_cookie_after_sign_out() -> None:
    """On the sign-in page just after a sign-out: have the browser drop the (already revoked) cookie."""
    if st.session_state.pop("_clear_cookie", False):
        import streamlit.components.v1 as components

        components.html(session_cookie.clearer_html(), height=0)


def guard_page(*roles: str) -> dict:
    """Top of a restricted page: stop with a message unless the user's role is one of ``roles``
    (navigation already hides the page; this guards direct script runs)."""
    try:
        return require_role(*roles)
    except AccessDenied as exc:
        st.error(str(exc), icon=":material/block:")
        st.stop()
        raise  # unreachable: st.stop raises
