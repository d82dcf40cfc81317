"""Connections and caching, in one place.

* ``connection()``: one DuckDB connection per lakehouse version (``st.cache_resource``); every
  call takes its own ``cursor()`` because Streamlit serves sessions from threads.
* ``cached(fn, scope=None, **kwargs)``: runs an ``analytics`` function ``fn(cursor, **kwargs)``
  through ``st.cache_data``, keyed on the lakehouse version and the ``Scope`` (window, filters and
  the user's data scope) so results refresh after any write and never cross users' scopes (the
  audit log has its own token: a failed sign-in, which appends to it, leaves other results warm). ``fn``
  receives ``scope`` when it takes one; whatever it returns, rows of business units outside the
  user's data scope are dropped before they leave (``scope.restrict``, behind the scoped SQL).
"""

from __future__ import annotations

import importlib
import inspect
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import streamlit as st

from analytics import sql
from analytics.lakehouse import connection as lakehouse_connection
from analytics.lakehouse import storage
from analytics.product.scope import Scope, restrict
from analytics.settings import Settings, load_settings

T = TypeVar("T")


def settings() -> Settings:
    # not cached: reading the environment is cheap, and tests switch lakehouses per test
    return load_settings()


def root() -> Path:
    return settings().lakehouse


_run_version = threading.local()  # per script-run thread; gone with the thread (a dict by thread id grew)
# The audit log has its own token: a failed sign-in appends to it (an unauthenticated request), and
# must not turn every cached result of every user cold. Only its readers key on it.
AUDIT_DIR = "audit_log"
AUDIT_READERS = frozenset({"analytics.governance.audit"})


def begin_run() -> str:
    """Called once at the top of every script run: walks the lakehouse once for the whole run.

    (A page makes many cached calls; each would otherwise walk the tree. Streamlit runs one script
    run per session at a time, each in its own thread, so the token is kept per thread.)
    """
    if _warm_up_started.is_set():
        # a page importing the same packages while the warm-up thread still imports them can get a
        # half-initialised module (Python breaks the import-lock cycle that way): wait for it once
        _warm_up_done.wait(WARM_UP_WAIT_S)
    tokens = _tokens()
    _run_version.tokens = tokens
    return "|".join(tokens)


def _tokens() -> tuple[str, str]:
    """(everything but the audit log, the audit log): two walks, the second of one folder."""
    r = root()
    return storage.lakehouse_version(r, skip_dirs=(AUDIT_DIR,)), storage.lakehouse_version(r / AUDIT_DIR)


def version() -> str:
    """The lakehouse version token for this run, audit log included (walks the tree if the run did
    not start with ``begin_run``): what the shared connection is keyed on."""
    return "|".join(getattr(_run_version, "tokens", None) or _tokens())


def data_version() -> str:
    """The version token of everything but the audit log: what cached results are keyed on."""
    return (getattr(_run_version, "tokens", None) or _tokens())[0]


def invalidate() -> None:
    """After a write in this run: later cached calls see the new files."""
    begin_run()


@st.cache_resource(show_spinner=False, max_entries=2)
def _connection(root_str: str, version_token: str) -> duckdb.DuckDBPyConnection:
    return lakehouse_connection.connect(root_str)  # a folder or an object-store URL


def connection() -> duckdb.DuckDBPyConnection:
    """The shared connection for the current lakehouse version (re-opened after writes)."""
    return _connection(str(root()), version())


def cursor() -> duckdb.DuckDBPyConnection:
    return connection().cursor()


@st.cache_data(show_spinner=False, max_entries=1024)
def _call(module: str, name: str, root_str: str, version_token: str, scope: Scope | None, kwargs: tuple,
          _connection_token: str) -> Any:
    # keyed on ``version_token`` (the data version, plus the audit log's for its readers); the
    # connection of this run (``_connection_token``, not part of the key) reads the files
    if not module.startswith("analytics."):
        raise ValueError("only analytics functions are cached here")
    fn = getattr(importlib.import_module(module), name)
    cur = _connection(root_str, _connection_token).cursor()
    try:
        args = dict(kwargs)
        if scope is not None and "scope" in inspect.signature(fn).parameters:
            args["scope"] = scope
        with sql.serving() as cut:
            out = fn(cur, **args)
        return (restrict(cur, out, scope.allowed_units) if scope is not None else out), tuple(cut)
    finally:
        cur.close()


def cached(fn: Callable[..., T], /, scope: Scope | None = None, **kwargs: Any) -> T:
    """``fn(cursor, **kwargs)`` (with ``scope=`` when ``fn`` takes it), cached until the lakehouse
    changes, keyed on the scope too. Arguments must be hashable. Pass the page's scope to every
    function whose rows belong to models, datasets or experiments."""
    full = version()
    key = full if fn.__module__ in AUDIT_READERS else data_version()
    out, cut = _call(fn.__module__, fn.__qualname__, str(root()), key, scope, tuple(sorted(kwargs.items())), full)
    if cut:  # the gateway's row cap cut a result: say so where it is shown
        st.warning(f"Only the first {sql.ROW_CAP:,} rows of {', '.join(sorted(set(cut)))} are shown: narrow the "
                   "window or the filters to see the rest.", icon=":material/content_cut:")
    return out


def problems() -> list[str]:
    return lakehouse_connection.problems(connection())


_warm_up_started = threading.Event()
_warm_up_done = threading.Event()
WARM_UP_WAIT_S = 300  # a bound, not an expectation: the warm-up takes seconds


def warm_up_in_background() -> None:
    """While someone reads the sign-in page, import the analytics stack and open the lakehouse in a
    background thread, once per server process, so the first page after sign-in does not pay for it."""
    if _warm_up_started.is_set():
        return
    _warm_up_started.set()

    def work() -> None:
        try:  # in the order the first page after sign-in (the overview) needs them
            import analytics.product.overview  # noqa: F401  (adoption, checklist, roi come with it)

            _connection(str(root()), "|".join(_tokens()))

            import polars as pl

            from app import charts

            # Altair builds its JSON-schema validator on the first chart it serialises (~1.3 s)
            charts.hbar(pl.DataFrame({"k": ["a"], "v": [1.0]}), x="v", y="k", x_title="").to_dict()

            import analytics.product.experiments  # noqa: F401  (scipy.stats: ~2 s, for a later page)
        except Exception:  # a failed warm-up only means a slower first page; pages report real errors
            import logging

            logging.getLogger("scaleboard").warning("warm-up failed", exc_info=True)
        finally:
            _warm_up_done.set()

    threading.Thread(target=work, name="scaleboard-warm-up", daemon=True).start()
