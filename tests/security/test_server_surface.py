"""What a network neighbour can reach: the server `make run` starts listens on 127.0.0.1 only unless
told otherwise, `/_stcore/metrics` and the agent API answer 404, the health check stays open, and
Streamlit's raw table export is off (our own CSVs neutralise formulas)."""

from __future__ import annotations

import subprocess
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

import e2e

PROJECT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_served_app_listens_on_localhost_and_closes_metrics(lake):
    with e2e.streamlit_server(lake.root) as (url, proc):
        assert _status(url + "/_stcore/health") == 200
        assert _status(url + "/_stcore/metrics") == 404
        assert _status(url + "/_stcore/metrics/") == 404
        assert _status(url + "/_stcore/agent/openapi.json") == 404
        server = psutil.Process(proc.pid)
        addresses = {c.laddr.ip for p in (server, *server.children(recursive=True))
                     for c in p.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN}
        assert addresses == {"127.0.0.1"}, addresses


def test_make_run_binds_localhost_unless_host_is_given():
    def streamlit_line(*args: str) -> str:
        out = subprocess.run(["make", "-n", "run", *args], cwd=PROJECT, capture_output=True, text=True, check=True)
        return next(line for line in out.stdout.splitlines() if "streamlit run" in line)

    assert "app/server.py" in streamlit_line() and "--server.address 127.0.0.1" in streamlit_line()
    assert "--server.address 0.0.0.0" in streamlit_line("HOST=0.0.0.0")


def test_config_hides_raw_export_and_binds_localhost():
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["enableAgentApi"] is False
