"""Crash tests: run a `scaleboard` command in a subprocess and SIGKILL it at a named point.

The subprocess announces each ``storage.checkpoint`` on stderr (``SCALEBOARD_TEST_PAUSE_S``) and
pauses at the one under test. Renames out of an ingest's staging folder are announced too
(``checkpoint renamed N``), by a wrapper around ``os.replace`` that does not depend on the code under
test having checkpoints, so the same kill can be aimed at the code before a fix.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[3]

_RUNNER = r"""
import os, sys, time
real = os.replace
n = [0]
def replace(src, dst):
    out = real(src, dst)
    if "_staging" in str(src) and str(src).endswith(".parquet"):
        n[0] += 1
        stage = f"renamed {n[0]}"
        print(f"checkpoint {stage}", file=sys.stderr, flush=True)
        if stage.startswith(os.environ.get("SCALEBOARD_TEST_PAUSE_AT", "")):
            time.sleep(float(os.environ.get("SCALEBOARD_TEST_PAUSE_S", "0")))
    return out
os.replace = replace
import argparse, importlib
# only the command under test is imported (the full command set takes seconds to import)
parser = argparse.ArgumentParser()
importlib.import_module(f"analytics.cli.{sys.argv[1]}").register(parser.add_subparsers())
args = parser.parse_args(sys.argv[1:])
sys.exit(args.handler(args))
"""


def run_and_kill(args: list[str], stage: str | None, *, pause: float = 120.0) -> str:
    """Run ``scaleboard ARGS``; kill -9 it when it reaches ``stage`` (exact name). Returns "killed",
    or "exit N" when it ended first (``stage`` None: run to the end, pausing ``pause`` s everywhere)."""
    env = {**os.environ, "SCALEBOARD_TEST_PAUSE_S": str(pause), "SCALEBOARD_TEST_PAUSE_AT": stage or ""}
    proc = subprocess.Popen([sys.executable, "-c", _RUNNER, *args], cwd=PROJECT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = []
    assert proc.stderr is not None
    for raw in proc.stderr:
        line = raw.decode().strip()
        seen.append(line)
        if stage is not None and line == f"checkpoint {stage}":
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return "killed"
    proc.wait()
    return f"exit {proc.returncode} ({'; '.join(seen[-5:])})"


# ---------------------------------------------------------------- damage that leaves a footer intact

def _chunk(path: Path, column: str) -> tuple[int, int]:
    """(first byte of the column chunk's data pages, their length) in the first row group."""
    import pyarrow.parquet as pq

    md = pq.ParquetFile(path).metadata
    rg = md.row_group(0)
    col = next(rg.column(i) for i in range(rg.num_columns) if rg.column(i).path_in_schema == column)
    start = min(x for x in (col.dictionary_page_offset, col.data_page_offset) if x)
    return col.data_page_offset, start + col.total_compressed_size - col.data_page_offset


def damage(path: Path, case: str, column: str = "score") -> None:
    """Damage ``path`` in place; every case but truncate/zero_bytes keeps size and footer intact."""
    b = bytearray(path.read_bytes())
    off, size = _chunk(path, column) if case not in ("truncate", "zero_bytes") else (0, 0)
    if case == "flipped_bytes":  # a few bits flipped in the middle of a data page
        for i in range(off + size // 2, off + size // 2 + 8):
            b[i] ^= 0xFF
    elif case == "one_bit":
        b[off + size - 20] ^= 0x01
    elif case == "zeroed_chunk_tail":  # the end of a column chunk lost (zeros, same size)
        b[off + size // 3: off + size] = bytes(size - size // 3)
    elif case == "page_header":  # the page header cannot be decoded
        b[off: off + 6] = b"\xff" * 6
    elif case == "wrong_magic":  # the leading magic bytes of another format
        b[0:4] = b"PK\x03\x04"
    elif case == "zero_bytes":
        b = bytearray()
    elif case == "truncate":
        b = b[: len(b) // 2]
    else:
        raise ValueError(case)
    path.write_bytes(bytes(b))


def start(args: list[str], *, pause: float) -> subprocess.Popen:
    """Start ``scaleboard ARGS`` pausing ``pause`` s at every checkpoint (the slowed-publish hook)."""
    env = {**os.environ, "SCALEBOARD_TEST_PAUSE_S": str(pause), "SCALEBOARD_TEST_PAUSE_AT": ""}
    return subprocess.Popen([sys.executable, "-c", _RUNNER, *args], cwd=PROJECT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
