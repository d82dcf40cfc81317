"""What `make run` serves: app/main.py, with the session-cookie route, behind a guard for Streamlit's endpoints that answer without
sign-in. Run with `streamlit run app/server.py` (Streamlit serves the `app` below).

``/_stcore/metrics`` (session counts, cache sizes, per-user labels if ever configured) and the agent
API (``/_stcore/agent/...``, which drives the app without a browser) answer 404 here; the health
check stays open for load balancers. Tests and AppTest use app/main.py directly.
"""

import streamlit as st
from starlette.middleware import Middleware

from app import auth, session_cookie

CLOSED = ("/_stcore/metrics", "/_stcore/agent")


class EndpointGuard:
    """ASGI middleware: 404 for any path under ``CLOSED`` (also behind a base URL path)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "") if scope["type"] in ("http", "websocket") else ""
        if any(path.rstrip("/").endswith(c) or f"{c}/" in path for c in CLOSED):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": b"Not found"})
            return
        await self.app(scope, receive, send)


# one App for both entries (`streamlit run app/server.py` and `streamlit run app/main.py`): the guard,
# and the route that sets the HttpOnly session cookie (app/session_cookie.py)
app = st.App("main.py", routes=session_cookie.routes(), middleware=[Middleware(EndpointGuard)])
auth.protect_cache_clear()
