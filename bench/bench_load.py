"""Many signed-in sessions at once, driven at the websocket level (as browsers would, without 50
browsers on 2 cores): each session signs in from its own loopback address, then cycles through its
pages for the given time. Reports errors, sign-in and page times (p50, p95, max) and the server's RSS.
The cycling clock starts once every session has signed in (or failed to), so the page times are those
of 50 signed-in sessions at once, and a short run still measures pages.

    .venv/bin/python -m bench.bench_load --lakehouse data/lakehouse --sessions 50 --seconds 120

Writes bench/results/load.md. Every request goes to 127.0.0.1 only, and the loop stops by itself.
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
from analytics.governance import users  # noqa: E402

PAGES = ("overview", "adoption", "roi", "experiments", "drift", "registry", "quality", "readiness")


class Session(e2e_auth.WsSession):
    """A websocket session that also learns the app's pages (from the navigation message)."""

    def run_page(self, page_hash: str | None = None) -> tuple[float, list]:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.page_script_hash = page_hash or self.page_hash
        t0 = time.perf_counter()
        self.ws.send(msg.SerializeToString())
        elements = []
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(self.ws.recv(timeout=self.timeout))
            kind = fwd.WhichOneof("type")
            if kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                elements.append(fwd.delta.new_element)
            elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return time.perf_counter() - t0, elements


class Start:
    """Releases the page cycling once every session has signed in or failed; holds the deadline."""

    def __init__(self, sessions: int, seconds: float):
        self.left, self.seconds, self.deadline = sessions, seconds, 0.0
        self.lock, self.go = threading.Lock(), threading.Event()

    def arrived(self) -> None:
        with self.lock:
            self.left -= 1
            if self.left == 0:
                self.deadline = time.time() + self.seconds
                self.go.set()


def worker(url: str, i: int, password: str, start: Start, out: dict, lock: threading.Lock) -> None:
    ip = f"127.0.0.{2 + i}"
    arrived = False
    try:
        t0 = time.perf_counter()
        s, texts = e2e_auth.ws_sign_in(url, f"load{i}", password, source_ip=ip, timeout=180)
        if "Signed in as" not in texts:
            raise RuntimeError(f"sign-in refused: {texts[:200]!r}")
        s.__class__ = Session
        s.pages = {}
        s.run_page()  # learn the pages
        if not s.pages:
            raise RuntimeError("no navigation message: pages unknown")
        with lock:
            out["signed_in"] += 1
            out["sign_in"].append(time.perf_counter() - t0)
        arrived = True
        start.arrived()
        start.go.wait()
        k = i
        while time.time() < start.deadline:
            page = PAGES[k % len(PAGES)]
            k += 1
            seconds, elements = s.run_page(s.pages.get(page))
            errors = [e for e in elements if e.WhichOneof("type") == "exception"]
            with lock:
                out["times"].setdefault(page, []).append(seconds)
                out["errors"] += len(errors)
        s.close()
    except Exception as exc:  # a session that fails is an error of the run, not of the bench
        with lock:
            out["failures"].append(f"session {i}: {type(exc).__name__}: {exc}")
    finally:
        if not arrived:
            start.arrived()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lakehouse", type=Path, required=True)
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=120)
    ap.add_argument("--out", default="load.md", help="file name under bench/results/")
    ap.add_argument("--load", default="", help="what else ran on the machine (written into the result)")
    args = ap.parse_args()
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"scaleboard-load-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    path, password = work / "users.toml", "load-test-password-1"
    for i in range(args.sessions):
        users.add_user(path, f"load{i}", "admin", password, replace=True)
    out = {"times": {}, "errors": 0, "failures": [], "signed_in": 0, "sign_in": []}
    lock = threading.Lock()
    with e2e.streamlit_server(args.lakehouse, env={"SCALEBOARD_USERS_FILE": str(path)}, timeout=180) as (url, proc):
        server = psutil.Process(proc.pid)
        load0 = os.getloadavg()[0]
        rss0 = server.memory_info().rss
        start = Start(args.sessions, args.seconds)
        threads = [threading.Thread(target=worker, args=(url, i, password, start, out, lock))
                   for i in range(args.sessions)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
            time.sleep(0.2)  # arrivals spread over ten seconds, within the sign-in budget
        for t in threads:
            t.join(args.seconds + 900)
        wall = time.perf_counter() - t0
        rss1 = server.memory_info().rss
        log_lines = proc.log.read_text(errors="replace").splitlines()
        (work / "server.log").write_text("\n".join(log_lines))
        load1 = os.getloadavg()[0]
    every = sorted(x for v in out["times"].values() for x in v)

    def pct(values, q):
        return sorted(values)[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

    lines = ["## Load: concurrent signed-in sessions (`bench/bench_load.py`)", "",
             f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores; lakehouse "
             f"`{args.lakehouse.name}`; 1-minute load average {load0:.1f} before, {load1:.1f} at the end. {args.sessions} sessions, each signed in from its own loopback address, "
             f"cycling {len(PAGES)} pages for {args.seconds} s over the websocket ({wall:.0f} s wall). "
             f"Page time = from the rerun request to the script's end, server side, as a browser's websocket sees it.",
             "", f"* sessions signed in: {out['signed_in']} of {args.sessions}; page runs: {len(every):,}; errors (exceptions drawn): {out['errors']}; failed sessions: "
             f"{len(out['failures'])}", f"* all pages: p50 {pct(every, 0.5) * 1000:.0f} ms, p95 "
             f"{pct(every, 0.95) * 1000:.0f} ms, max {max(every, default=float('nan')) * 1000:.0f} ms",
             f"* sign-in (first page included), all {args.sessions} arriving within {args.sessions * 0.2:.0f} s: "
             f"p50 {pct(out['sign_in'], 0.5) * 1000:.0f} ms, p95 {pct(out['sign_in'], 0.95) * 1000:.0f} ms",
             f"* server RSS: {rss0 / 2**20:.0f} MiB before, {rss1 / 2**20:.0f} MiB after; server log: "
             f"{len(log_lines)} lines", "",
             "| page | runs | p50 | p95 |", "|---|---|---|---|"]
    for page in PAGES:
        v = out["times"].get(page, [])
        lines.append(f"| {page} | {len(v)} | {pct(v, 0.5) * 1000:.0f} ms | {pct(v, 0.95) * 1000:.0f} ms |"
                     if v else f"| {page} | 0 | – | – |")
    if args.load:
        lines.insert(3, f"Machine load during the run: {args.load}.")
    if out["failures"]:
        lines += ["", "Failures:", *[f"* {f}" for f in out["failures"][:10]]]
    text = "\n".join(lines) + "\n"
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
