"""The example Airflow DAG calls commands the CLI accepts. Airflow is not a dependency: without it the
DAG file runs against a minimal recorder of DAGs and BashOperators (with it, against Airflow itself)."""

from __future__ import annotations

import importlib.util
import re
import shlex
import sys
import types
from pathlib import Path

from analytics.cli import build_parser

DAG_FILE = Path(__file__).resolve().parents[3] / "deploy" / "airflow" / "scaleboard_dag.py"


class _Recorder:
    tasks: list = []

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __rshift__(self, other):
        return other


def _load_dag(monkeypatch) -> list[dict]:
    tasks: list[dict] = []
    if importlib.util.find_spec("airflow") is None:
        class Bash(_Recorder):
            def __init__(self, **kwargs):
                tasks.append(kwargs)
        airflow = types.ModuleType("airflow")
        airflow.DAG = _Recorder
        bash = types.ModuleType("airflow.operators.bash")
        bash.BashOperator = Bash
        monkeypatch.setitem(sys.modules, "airflow", airflow)
        monkeypatch.setitem(sys.modules, "airflow.operators", types.ModuleType("airflow.operators"))
        monkeypatch.setitem(sys.modules, "airflow.operators.bash", bash)
    spec = importlib.util.spec_from_file_location("scaleboard_dag", DAG_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if tasks:
        return tasks
    return [{"task_id": t.task_id, "bash_command": t.bash_command, "env": t.env}  # real Airflow
            for dag in (module.refresh_dag, module.digest_dag) for t in dag.tasks]


def _rendered(command: str) -> list[str]:
    """The CLI arguments after `scaleboard`, with Airflow's templates filled with sample values."""
    command = command.replace("{{ var.value.scaleboard_digest_to }}", "board@example.com cfo@example.com")
    command = command.replace("{{ var.value.scaleboard_digest_owner }}", "ops@example.com")
    command = command.replace("{{ data_interval_end }}", "2026-11-02T07:00:00+00:00")
    assert "{{" not in command, command
    return shlex.split(command.split(".venv/bin/scaleboard", 1)[1])


def test_every_task_runs_a_command_the_cli_accepts(monkeypatch):
    tasks = _load_dag(monkeypatch)
    commands = {t["task_id"]: t["bash_command"] for t in tasks}
    assert {"refresh", "check", "digest"} <= set(commands)
    for task in tasks:
        argv = _rendered(task["bash_command"])
        args = build_parser(argv[0]).parse_args(argv)  # the parser with that command's own arguments
        assert args.command == task["task_id"]
    digest = next(t for t in tasks if t["task_id"] == "digest")
    args = build_parser("digest").parse_args(_rendered(digest["bash_command"]))
    assert args.to == ["board@example.com", "cfo@example.com"] and args.owner == "ops@example.com"
    assert args.as_of.isoformat() == "2026-11-02T07:00:00+00:00"
    # SMTP settings come from an Airflow connection, templated at run time: no secret in the file
    assert set(digest["env"]) == {f"SCALEBOARD_SMTP_{k}" for k in ("HOST", "PORT", "USER", "PASSWORD", "STARTTLS")}
    assert all(re.fullmatch(r"\{\{ conn\.scaleboard_smtp\..+ \}\}", v) for v in digest["env"].values())

