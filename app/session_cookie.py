"""The session cookie: set by an HTTP route of our own, so it can be HttpOnly.

Streamlit talks to the browser over a websocket, which cannot set cookies, and has no API to set one.
``st.App`` (Streamlit's ASGI entry point, used by ``app/main.py``) lets us add an HTTP route:

1. After a local sign-in, ``auth`` creates the server-side session and ``issue(cookie)`` a one-time
   ticket (random, single use, ``TICKET_TTL`` seconds; the session id itself never reaches the page).
2. A zero-height component in the signed-in page POSTs the ticket to ``ROUTE`` (same origin).
3. The route answers ``Set-Cookie: scaleboard_session=…; HttpOnly; SameSite=Strict; Path=/`` (plus
   ``Secure`` when the request came over TLS, directly or per ``X-Forwarded-Proto``).

Later websocket connections (reload, new tab, bookmark) carry the cookie; ``auth.gate`` reads it
with ``st.context.cookies`` and checks it against ``analytics.governance.sessions``.

Signing out revokes the session on the server (the cookie is worthless from then on) and the sign-in
page then sends a same-origin ``DELETE`` to ``ROUTE``, whose answer expires the cookie in the browser,
so a signed-out browser keeps no session id.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict

COOKIE = "scaleboard_session"
ROUTE = "/_scaleboard/session"
TICKET_TTL = 120  # seconds
MAX_TICKETS = 1024  # only signed-in users get tickets; still bounded

_tickets: OrderedDict[str, tuple[str, float, float]] = OrderedDict()  # ticket -> (cookie, expires, max age)
_lock = threading.Lock()


def issue(cookie: str, max_age: float) -> str:
    ticket = secrets.token_urlsafe(24)
    with _lock:
        now = time.monotonic()
        for t in [t for t, (_, exp, _) in _tickets.items() if exp < now]:
            del _tickets[t]
        _tickets[ticket] = (cookie, now + TICKET_TTL, max_age)
        while len(_tickets) > MAX_TICKETS:
            _tickets.popitem(last=False)
    return ticket


def pending(ticket: str | None) -> bool:
    with _lock:
        found = _tickets.get(ticket or "")
        return bool(found) and found[1] >= time.monotonic()


def redeem(ticket: str) -> tuple[str, float] | None:
    with _lock:
        found = _tickets.pop(ticket, None)
    if found is None or found[1] < time.monotonic():
        return None
    return found[0], found[2]


def setter_html(ticket: str) -> str:
    """The component body that sends the ticket (a same-origin POST; the response sets the cookie)."""
    return ("<script>fetch(" + repr(ROUTE) + ", {method: 'POST', credentials: 'same-origin', "
            "headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'ticket=' + "
            + repr(ticket) + "});</script>")


def clearer_html() -> str:
    """The component body that asks the route to expire the cookie (after sign-out)."""
    return ("<script>fetch(" + repr(ROUTE) + ", {method: 'DELETE', credentials: 'same-origin'});</script>")


async def _session_route(request):
    from starlette.responses import Response

    host = request.headers.get("host", "")
    origin = request.headers.get("origin")
    if origin is not None and origin.split("://", 1)[-1] != host:  # cross-site posts are refused
        return Response(status_code=403)
    if request.method == "DELETE":
        response = Response(status_code=204, headers={"Cache-Control": "no-store"})
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response
    body = await request.body()
    if len(body) > 200:
        return Response(status_code=413)
    from urllib.parse import parse_qs

    ticket = (parse_qs(body.decode("ascii", "replace")).get("ticket") or [""])[0]
    found = redeem(ticket)
    if found is None:
        return Response(status_code=404)
    cookie, max_age = found
    secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(COOKIE, cookie, max_age=int(max_age), path="/", httponly=True, samesite="strict",
                        secure=secure)
    return response


def routes() -> list:
    from starlette.routing import Route

    return [Route(ROUTE, _session_route, methods=["POST", "DELETE"])]
