"""Many sessions opened and closed against one server: does it give their memory back?

Each session is a websocket (as a browser tab) that restores a signed-in local session from its cookie
(no argon2 per session: the cookies are issued up front, as 1,000 earlier sign-ins would have), runs
the overview, then closes. Streamlit keeps a closed session for ``server.disconnectedSessionTTL``
(reconnection); the RSS is read once that has passed for every session, against a baseline taken on
the same server after a warm-up round (caches filled, pools allocated). Target: within 15%.

    .venv/bin/python -m bench.bench_sessions --lakehouse data/lakehouse --sessions 1000

Writes bench/results/sessions.md (``--out``). Every request goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import e2e  # noqa: E402
import e2e_auth  # noqa: E402
from analytics.governance import sessions, users  # noqa: E402
from app import auth, session_cookie  # noqa: E402

MIB = 1 << 20


def _settled_rss(proc: psutil.Process, *, within_s: float = 120, quiet_mib: float = 1.0) -> int:
    """RSS once it has stopped moving for 8 s (or after ``within_s``)."""
    deadline, last, quiet = time.time() + within_s, proc.memory_info().rss, 0
    while time.time() < deadline:
        time.sleep(2)
        now = proc.memory_info().rss
        quiet = quiet + 1 if abs(now - last) < quiet_mib * MIB else 0
        if quiet >= 4:
            return now
        last = now
    return last


def _round(url: str, cookies: list[str], concurrency: int, out: dict) -> None:
    """Open, run and close one session per cookie, ``concurrency`` at a time."""
    todo, lock = list(cookies), threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not todo:
                    return
                cookie = todo.pop()
            try:
                s = e2e_auth.WsSession(url, cookie=f"{session_cookie.COOKIE}={cookie}", timeout=180)
                try:
                    t0 = time.perf_counter()
                    texts = e2e_auth.WsSession.texts(s.run())
                    seconds = time.perf_counter() - t0
                finally:
                    s.close()
                with lock:
                    if "Signed in as" in texts:
                        out["ok"] += 1
                        out["times"].append(seconds)
                    else:
                        out["failures"].append(f"not signed in: {texts[:120]!r}")
            except Exception as exc:  # a failed session is a result of the run
                with lock:
                    out["failures"].append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lakehouse", type=Path, required=True)
    ap.add_argument("--sessions", type=int, default=1000)
    ap.add_argument("--warm-up", type=int, default=20, help="sessions opened and closed before the baseline")
    ap.add_argument("--concurrency", type=int, default=8, help="sessions open at once")
    ap.add_argument("--ttl", type=int, default=120,
                    help="server.disconnectedSessionTTL in seconds (Streamlit's default: 120)")
    ap.add_argument("--out", default="sessions.md", help="file name under bench/results/")
    ap.add_argument("--load", default="", help="what else ran on the machine (written into the result)")
    args = ap.parse_args()
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"scaleboard-sessions-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    path = work / "users.toml"
    total = args.warm_up + args.sessions
    names = [f"viewer{k}" for k in range(-(-total // sessions.MAX_PER_USER))]  # each keeps 20 sessions at most
    for name in names:
        users.add_user(path, name, "admin", "sessions-bench-password", replace=True)
    cookies = [sessions.create(path, names[i % len(names)], "admin", idle_timeout=auth.IDLE_TIMEOUT,
                               max_age=auth.MAX_SESSION)[0] for i in range(total)]
    env = {"SCALEBOARD_USERS_FILE": str(path), "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(args.ttl)}
    with e2e.streamlit_server(args.lakehouse, env=env, timeout=180) as (url, proc):
        server = psutil.Process(proc.pid)
        load0 = os.getloadavg()[0]
        warm = {"ok": 0, "times": [], "failures": []}
        _round(url, cookies[:args.warm_up], args.concurrency, warm)
        time.sleep(args.ttl + 5)
        baseline = _settled_rss(server)
        out = {"ok": 0, "times": [], "failures": []}
        peak, done = [0], threading.Event()

        def sample() -> None:
            while not done.wait(1):
                peak[0] = max(peak[0], server.memory_info().rss)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        t0 = time.perf_counter()
        _round(url, cookies[args.warm_up:], args.concurrency, out)
        wall = time.perf_counter() - t0
        done.set()
        right_after = server.memory_info().rss
        time.sleep(args.ttl + 5)  # every closed session is past its reconnection window
        after = _settled_rss(server)
        load1 = os.getloadavg()[0]
    times = sorted(out["times"])

    def pct(q: float) -> float:
        return times[min(len(times) - 1, int(q * len(times)))] * 1000 if times else float("nan")

    grown = (after - baseline) / baseline
    lines = ["## Sessions opened and closed (`bench/bench_sessions.py`)", "",
             f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores; lakehouse "
             f"`{args.lakehouse.name}`; 1-minute load average {load0:.1f} before, {load1:.1f} at the end. "
             f"{args.sessions:,} sessions (cookie-restored sign-in, the overview, close), {args.concurrency} at a "
             f"time, in {wall:.0f} s; `server.disconnectedSessionTTL` {args.ttl} s; baseline after "
             f"{args.warm_up} warm-up sessions and their TTL.",
             "", f"* sessions that ran the overview signed in: {out['ok']:,} of {args.sessions:,}; failures: "
             f"{len(out['failures'])}; overview p50 {pct(0.5):.0f} ms, p95 {pct(0.95):.0f} ms",
             f"* server RSS: baseline {baseline / MIB:.0f} MiB, peak {peak[0] / MIB:.0f} MiB, right after the "
             f"last close {right_after / MIB:.0f} MiB, after the TTL {after / MIB:.0f} MiB "
             f"(**{grown:+.1%}** of the baseline; target within 15%)"]
    if args.load:
        lines.insert(3, f"Machine load during the run: {args.load}.")
    if out["failures"]:
        lines += ["", "Failures (first 10):", *[f"* {f}" for f in out["failures"][:10]]]
    text = "\n".join(lines) + "\n"
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
