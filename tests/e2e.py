"""Real-browser plumbing shared by end-to-end tests and the benchmark's server probe.

A real `streamlit run` server on a free local port, driven by Python Playwright with Debian's
Chromium (never a downloaded browser). ``CHROMIUM_MISSING`` names the one command that installs it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHROMIUM_MISSING = ("Debian's chromium is not installed; install it with: "
                    "sudo apt-get install -y chromium  (or: make browser-deps)")
ARTIFACTS = PROJECT / "artifacts"


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(root: Path, *, env: dict | None = None, port: int | None = None,
                     timeout: float = 60) -> Iterator[tuple[str, subprocess.Popen]]:
    """Serve app/main.py on the given lakehouse; yields (base_url, process)."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(PROJECT / "app" / "main.py"),
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    proc = subprocess.Popen(cmd, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "SCALEBOARD_LAKEHOUSE": str(root), **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("streamlit exited: " + (proc.stdout.read().decode() if proc.stdout else ""))
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.2)
        else:
            raise TimeoutError("streamlit did not start")
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                              args=CHROMIUM_ARGS)
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
