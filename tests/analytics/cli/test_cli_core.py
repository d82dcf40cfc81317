from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from analytics.cli import COMMANDS, build_parser, main
from analytics.cli.schema import markdown

PROJECT = Path(__file__).resolve().parents[3]


def test_docs_lakehouse_is_generated_from_the_schema():
    assert (PROJECT / "docs" / "lakehouse.md").read_text().strip() == markdown().strip(), \
        "run: .venv/bin/scaleboard schema > docs/lakehouse.md"


def _subparsers(parser):
    return next(a for a in parser._actions if a.dest == "command").choices


def test_every_listed_command_registers_itself_with_a_handler():
    for name in COMMANDS:
        p = _subparsers(build_parser(name))[name]
        subs = [a.choices for a in p._actions if a.choices and isinstance(a.choices, dict)]
        handlers = [p.get_default("handler")] + [s.get_default("handler") for c in subs for s in c.values()]
        assert any(callable(h) for h in handlers), f"{name}: register() sets no handler"
        assert p.add_help, f"{name}: its own module was not registered"


def test_top_level_help_lists_every_command_and_imports_no_command(capsys):
    import pytest

    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    for name, help_text in COMMANDS.items():
        assert name in out and help_text.split()[0] in out


def test_help_is_fast_because_nothing_heavy_is_imported():
    # a fresh interpreter: what `scaleboard --help` imports (timings belong to bench/, imports do not)
    code = ("import sys; from analytics.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('duckdb', 'polars', 'pyarrow', 'streamlit', 'scipy', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_closed_pipe_ends_quietly():
    # `scaleboard schema | head -1`: the reader closes early. A 4 KiB pipe makes the writer block, so
    # it meets the closed pipe for sure (the schema is ~20 KB); it must end without a traceback.
    import fcntl
    import os

    read_fd, write_fd = os.pipe()
    fcntl.fcntl(write_fd, 1031, 4096)  # F_SETPIPE_SZ
    proc = subprocess.Popen([str(Path(sys.executable).parent / "scaleboard"), "schema"], cwd=PROJECT,
                            stdout=write_fd, stderr=subprocess.PIPE)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as reader:
        assert reader.readline().startswith(b"# Lakehouse tables")
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and "Traceback" not in err, err
