"""Sign-in for real-browser tests and the server benchmark.

``bench_user(folder, role)`` creates a users file with one user of that role and returns
``(env, sign_in)``: the environment for ``e2e.streamlit_server`` and a function that signs a
Playwright page in (call it after every ``goto``/``reload``: it returns at once when the browser's
session cookie restored the session, and signs in through the form otherwise).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from analytics.governance import users
from e2e import DEADLINE_MS

SIGN_IN_TIMEOUT_MS = DEADLINE_MS  # a deadline for a loaded machine, not a speed


def sign_in_page(page, name: str, password: str) -> None:
    """Sign in through the form, unless the session cookie already restored the session."""
    form, signed_in = page.get_by_label("User name"), page.get_by_text("Signed in as")
    form.or_(signed_in).first.wait_for(timeout=SIGN_IN_TIMEOUT_MS)
    if signed_in.count() and not form.count():
        return
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for(timeout=SIGN_IN_TIMEOUT_MS)


def bench_user(folder: Path, role: str = "admin") -> tuple[dict[str, str], Callable]:
    path = Path(folder) / f"e2e-users-{role}.toml"
    name, password = f"e2e-{role.replace('_', '-')}", secrets.token_urlsafe(16)
    users.add_user(path, name, role, password, replace=True)
    return {"SCALEBOARD_USERS_FILE": str(path)}, lambda page: sign_in_page(page, name, password)


# ---------------------------------------------------------------- the websocket, without a browser

class WsSession:
    """One Streamlit session driven over its websocket (``/_stcore/stream``), as a browser would,
    for attacks and load that a real browser cannot produce (megabyte names, hundreds of tries).

    ``run()`` reruns the script with the given widget values and returns the elements it drew;
    widget ids are learnt from the elements (``id`` of each widget's proto)."""

    def __init__(self, base_url: str, *, cookie: str | None = None, source_ip: str | None = None,
                 timeout: float = 60):
        """``source_ip``: another loopback address (``127.0.0.N``) to appear as another client."""
        from websockets.sync.client import connect

        url = base_url.replace("http://", "ws://") + "/_stcore/stream"
        headers = {"Cookie": cookie} if cookie else None
        self._cm = connect(url, additional_headers=headers, max_size=None, open_timeout=timeout,
                           subprotocols=["streamlit"],
                           **({"source_address": (source_ip, 0)} if source_ip else {}))
        self.ws = self._cm.__enter__()
        self.timeout = timeout
        self.page_hash = ""
        self.widget_ids: dict[str, str] = {}

    def close(self) -> None:
        self._cm.__exit__(None, None, None)

    def run(self, values: dict[str, object] | None = None) -> list:
        """Rerun with ``{widget key: value}`` (``True`` = click a button); the elements drawn."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.page_script_hash = self.page_hash
        for key, value in (values or {}).items():
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = self.widget_ids[key]
            if value is True:
                w.trigger_value = True
            else:
                w.string_value = str(value)
        self.ws.send(msg.SerializeToString())
        elements = []
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv(timeout=self.timeout))
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = fwd.new_session.page_script_hash or self.page_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                elements.append(el)
                proto = getattr(el, el.WhichOneof("type") or "", None)
                wid = getattr(proto, "id", "") if proto is not None else ""
                if wid and "-" in wid:
                    self.widget_ids[wid.rsplit("-", 1)[-1]] = wid
            elif kind == "script_finished":
                if fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return elements
                elements = []  # st.rerun(): the next run draws the page again

    @staticmethod
    def texts(elements) -> str:
        out = []
        for el in elements:
            kind = el.WhichOneof("type")
            body = getattr(el, kind, None)
            for attr in ("body", "label"):
                if body is not None and isinstance(getattr(body, attr, None), str):
                    out.append(getattr(body, attr))
        return "\n".join(out)


def ws_sign_in(base_url: str, name: str, password: str, **kw) -> tuple[WsSession, str]:
    """Open a session, submit the sign-in form once; returns the session and the texts drawn."""
    s = WsSession(base_url, **kw)
    s.run()
    texts = WsSession.texts(s.run({"signin_name": name, "signin_password": password,
                                   "Sign in": True}))
    return s, texts
