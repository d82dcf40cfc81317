"""System programs some tests need, found on PATH, and the one command that installs each.

``requires_binary("dot")`` is a skip mark: where the program is missing the test is reported as
skipped with the exact install command (``make browser-deps`` installs them all; `.ci/run` does in
CI). Verify a skip by running with the program's folder removed from PATH.
"""

from __future__ import annotations

import shutil

import pytest

INSTALL = {
    "chromium": "sudo apt-get install -y chromium",
    "dot": "sudo apt-get install -y graphviz",
    "java": "sudo apt-get install -y default-jre-headless",
}


def which(name: str) -> str | None:
    """The program's path on PATH (PATH only: a stripped PATH must make the test skip)."""
    return shutil.which(name)


def missing_reason(name: str, install: str | None = None) -> str:
    command = install or INSTALL.get(name, f"install '{name}'")
    return f"'{name}' is not installed; install it with: {command}  (or: make browser-deps)"


def requires_binary(name: str, install: str | None = None) -> pytest.MarkDecorator:
    """A mark that skips the test (or module, as ``pytestmark``) when ``name`` is not on PATH."""
    return pytest.mark.skipif(which(name) is None, reason=missing_reason(name, install))


def skip_unless_binary(name: str, install: str | None = None) -> str:
    """Inside a fixture or test: the program's path, or skip with the install command."""
    path = which(name)
    if path is None:
        pytest.skip(missing_reason(name, install))
    return path
