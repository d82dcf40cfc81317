"""Test helper shared by the ingest and hardening tests: a hash of a lakehouse folder, to prove a
rejected load changed nothing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def tree_hash(root: Path) -> str:
    """Hash of every path and every file's bytes under root (dirs included)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        h.update(b"D" + os.path.relpath(dirpath, root).encode())
        for f in sorted(filenames):
            p = Path(dirpath) / f
            h.update(b"F" + str(p.relative_to(root)).encode() + hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()
