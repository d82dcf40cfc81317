"""Shared fixtures.

* ``lake``: an empty lakehouse in a temp folder; ``lake.put(table, rows)`` appends hand-written rows
  (list of dicts or a polars frame), ``lake.con()`` opens it, ``lake.refresh()`` builds rollups.
  KPI tests use it with small inline rows and hand-worked expected values.
* ``demo_root``: a tiny seeded demo lakehouse (session-wide, built once, rollups refreshed) for
  page smoke tests. Tests never read ``data/``.
* ``app_env``: points the app at ``demo_root`` (``SCALEBOARD_LAKEHOUSE``) for AppTest.
* ``shared_datasets``: ``../shared/datasets``; tests using it skip cleanly when it is absent.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from analytics import pipeline
from analytics.lakehouse import connection, storage
from analytics.lakehouse import refresh as rollup_refresh

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/e2e.py for browser tests

PROJECT = Path(__file__).resolve().parent.parent
# ../shared/datasets beside the checkout (or beside the folder of worktrees holding it)
SHARED_DATASETS = next((p / "shared" / "datasets" for p in (PROJECT.parent, PROJECT.parent.parent)
                        if (p / "shared" / "datasets").is_dir()), PROJECT.parent / "shared" / "datasets")
DEMO_SEED = 7
DEMO_PREDICTIONS = 40_000


@dataclass
class Lake:
    root: Path

    def put(self, table: str, rows: list[dict] | pl.DataFrame) -> None:
        frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(rows, infer_schema_length=None)
        storage.append(self.root, table, frame.to_arrow())

    def con(self):
        return connection.connect(self.root)

    def refresh(self, **kw):
        return rollup_refresh.refresh(self.root, **kw)


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    root = tmp_path / "lakehouse"
    root.mkdir()
    return Lake(root)


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from datetime import date

    from analytics import demo

    root = tmp_path_factory.mktemp("demo") / "lakehouse"
    summary = demo.generate(root, seed=DEMO_SEED, predictions=DEMO_PREDICTIONS, end=date(2026, 10, 31))
    # the CLI keeps a core demo when an extra fails; the tests must not hide that failure
    assert not summary.extras_failed, summary.extras_failed
    pipeline.refresh(root)
    return root


@pytest.fixture
def app_env(demo_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(demo_root))
    return demo_root


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    if not SHARED_DATASETS.is_dir():
        pytest.skip("../shared/datasets is absent (real-data oracle tests skipped)")
    return SHARED_DATASETS


INTEGRATION_FIXTURES = {"demo_root", "app_env", "shared_datasets"}


def pytest_collection_modifyitems(config, items):
    """Mark ``integration`` what builds on the demo lakehouse or a real dataset, or runs a Streamlit
    script (AppTest): `make test` runs everything, `make test-fast` only the unit tests."""
    for item in items:
        module = getattr(item, "module", None)
        if INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ())) or (module and "AppTest" in vars(module)):
            item.add_marker(pytest.mark.integration)
