"""The one write path of the app: require the permission, write, audit, refresh the cache, confirm once.

Every form and editor (``app/*_forms.py``, ``app/readiness.py``, ``app/ledger_entry.py``) calls ``save``;
pages only place the forms. The outcome of a write (success, or the error and "nothing was saved") is
kept in the session under ``OUTCOMES[where]`` and shown once, by ``confirmation(where)``, on the run
after the write, so the message sits next to its form and every panel above it already shows the new
data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from analytics.errors import ScaleboardError
from app import auth, data, ui

T = TypeVar("T")

OUTCOMES = "write_outcomes"  # session key: {where: (kind, message)}; the only confirmation key
MAX_AUDIT_DETAIL = 500  # characters kept in the audit row's detail


def save(permission: str, write: Callable[[dict], T], *, where: str, done: str | Callable[[T], str],
         action: str | None = None, target: str = "", detail: str | Callable[[T], str] = "",
         rerun: bool = True, audited: bool = False) -> T | None:
    """Run ``write(user)`` for the signed-in user if their role has ``permission`` (checked here, on
    the server), then append ``action`` (default: ``permission``) with ``target`` and ``detail`` to the
    audit log, refresh the cached data, and keep ``done`` as the confirmation for ``where``.

    On any error nothing more happens and the error is kept for ``where`` instead ("Nothing was
    saved." and the message, translated as panels translate errors). ``rerun`` runs the page again
    so the message and the new figures show at once; widget callbacks pass ``False`` (Streamlit runs
    the page right after them anyway). ``audited``: the writer records its own audit row (one that the
    CLI shares, e.g. acknowledging an alert), so none is added here. Returns the write's result, or
    ``None`` on error.
    """
    try:
        user = auth.require(permission)
        out = write(user)
    except Exception as exc:
        if type(exc).__name__ in {"StopException", "RerunException"}:  # streamlit control flow
            raise
        if not isinstance(exc, ScaleboardError):
            logging.getLogger("scaleboard").exception("write %s failed", action or permission)
        _keep(where, "error", f"Nothing was saved. {ui.error_text(exc)}")
        out = None
    else:
        message = done(out) if callable(done) else done
        try:
            if not audited:
                auth.audit(action or permission, target=target[:MAX_AUDIT_DETAIL],
                           detail=(detail(out) if callable(detail) else detail)[:MAX_AUDIT_DETAIL])
        except Exception as exc:  # the change is saved; say that its audit row is missing
            logging.getLogger("scaleboard").exception("audit of %s failed", action or permission)
            _keep(where, "warning", f"{message} The audit log could not be written: {ui.error_text(exc)}")
        else:
            _keep(where, "success", message)
        finally:
            data.invalidate()  # later cached calls of this run see the new files
    if rerun:
        st.rerun()
    return out


def refused(where: str, exc: BaseException) -> None:
    """Keep ``exc`` as the outcome at ``where`` when input is rejected before any write is tried."""
    _keep(where, "error", f"Nothing was saved. {ui.error_text(exc)}")


def _keep(where: str, kind: str, message: str) -> None:
    st.session_state.setdefault(OUTCOMES, {})[where] = (kind, message)


def confirmation(where: str) -> None:
    """Show the outcome of the last write made at ``where``, once (success also as a toast)."""
    kind, message = st.session_state.get(OUTCOMES, {}).pop(where, (None, None))
    if kind == "success":
        st.success(message, icon=":material/check:")
        st.toast(message, icon=":material/check:")
    elif kind == "warning":
        st.warning(message, icon=":material/warning:")
    elif kind == "error":
        st.error(message, icon=":material/error:")
