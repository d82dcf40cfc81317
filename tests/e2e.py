"""Real-browser plumbing shared by end-to-end tests and the benchmark's server probe.

A real `streamlit run` server on a free local port, driven by Python Playwright with Debian's
Chromium (never a downloaded browser), found on PATH. ``CHROMIUM_MISSING`` names the one command
that installs it.

Waits: every wait is for something the test asserts on (a text, an element, an HTTP answer), with a
deadline (``DEADLINE_MS``) sized for a loaded 2-core machine; none measures speed (that is bench/).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from system_deps import missing_reason, which

PROJECT = Path(__file__).resolve().parent.parent
SERVED = PROJECT / "app" / "server.py"  # what `make run` serves: app/main.py behind the endpoint guard
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHROMIUM_MISSING = missing_reason("chromium")
ARTIFACTS = PROJECT / "artifacts"
# a deadline, not a speed: generous enough for a first script run on a 2-core machine shared with
# other jobs (a test that needs it waits for its text or element, and passes as soon as it shows)
DEADLINE_MS = 180_000
SERVER_START_S = 180


def chromium() -> str | None:
    return which("chromium")


def chromium_available() -> bool:
    return chromium() is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(root: Path, *, env: dict | None = None, port: int | None = None,
                     timeout: float = SERVER_START_S) -> Iterator[tuple[str, subprocess.Popen]]:
    """Serve the app as `make run` does (app/server.py) on the given lakehouse, on 127.0.0.1; yields
    (base_url, process) once the server answers its health check."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(SERVED),
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    # the server's output goes to a file, not a pipe: nobody reads a pipe while the server runs, and
    # once its 64 KiB fill up every thread that logs blocks (a hung server under load); ``proc.log``
    log = tempfile.NamedTemporaryFile(prefix="scaleboard-server-", suffix=".log")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, cwd=PROJECT, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "SCALEBOARD_LAKEHOUSE": str(root), **(env or {})})
    proc.log = Path(log.name)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("streamlit exited: " + proc.log.read_text(errors="replace")[-20_000:])
            with contextlib.suppress(OSError), urllib.request.urlopen(url + "/_stcore/health", timeout=5) as r:
                if r.status == 200:
                    break
            time.sleep(0.25)
        else:
            raise TimeoutError("streamlit did not start")
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS, timeout=DEADLINE_MS)
        try:
            yield b
        finally:
            b.close()


def screenshot(page, name: str, *, height: int = 2400) -> Path:
    """Save the page as artifacts/<name>.png. Streamlit scrolls inside its own container, so
    ``full_page`` would capture only the viewport: the viewport is made tall for the shot instead."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    size = page.viewport_size or {"width": 1400, "height": 1000}
    page.set_viewport_size({"width": size["width"], "height": height})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path


def download(page, button, *, attempts: int = 4, timeout_ms: int = 45_000):
    """Click a download button and return the download. A click that lands while the script reruns is
    lost with the re-rendered button, so click again (a loaded 2-core machine reruns slowly)."""
    last: Exception | None = None
    for _ in range(attempts):
        button.wait_for(timeout=DEADLINE_MS)
        try:
            with page.expect_download(timeout=timeout_ms) as info:
                button.click()
            return info.value
        except Exception as exc:  # Playwright's TimeoutError: try the click again
            last = exc
    raise AssertionError(f"no download after {attempts} clicks") from last
