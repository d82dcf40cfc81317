"""Data-level damage: `scaleboard doctor` reads every data page (a footer can be intact over a corrupt
page) and `scaleboard check` names a damaged file and checks the rest instead of aborting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crashkit import damage

from analytics.cli import main as cli
from analytics.lakehouse import storage
from analytics.quality import contracts

T0 = datetime(2026, 3, 2, tzinfo=UTC)
FOOTER_INTACT = ["flipped_bytes", "one_bit", "zeroed_chunk_tail", "page_header", "wrong_magic"]


def _predictions(lake, n: int, start: datetime, tag: str) -> None:
    lake.put("predictions", [{"prediction_at": start + timedelta(minutes=i), "model_id": "m1",
                              "request_id": f"{tag}{i}", "score": ((i * 7919) % 1000) / 1000}
                             for i in range(n)])


@pytest.fixture
def two_files(lake):
    lake.put("models", [{"model_id": "m1", "name": "Churn", "business_unit": "Retail", "stage": "production",
                         "task": "classification"}])
    _predictions(lake, 2000, T0, "a")
    _predictions(lake, 2000, T0 + timedelta(days=40), "b")  # the next month: its own file
    victim = storage.data_files(lake.root / "predictions" / "month=2026-04")[0]
    return lake, victim


@pytest.mark.parametrize("case", [*FOOTER_INTACT, "zero_bytes", "truncate"])
def test_doctor_finds_every_kind_of_damage(two_files, case, capsys):
    lake, victim = two_files
    assert cli(["doctor", "--lakehouse", str(lake.root)]) == 0
    capsys.readouterr()
    damage(victim, case)
    assert cli(["doctor", "--lakehouse", str(lake.root)]) == 1
    out = capsys.readouterr().out
    assert f"unreadable file {victim.name}" in out, out
    assert "no problems found" not in out


def test_check_file_reads_pages_not_only_the_footer(two_files):
    lake, victim = two_files
    good = storage.data_files(lake.root / "predictions" / "month=2026-03")[0]
    for case in FOOTER_INTACT:
        copy = victim.with_name(f"copy-{case}.parquet")
        copy.write_bytes(good.read_bytes())
        damage(copy, case)
        assert storage.check_file(copy), case
    assert storage.check_file(good) is None


CONTRACT = """\
dataset: scores
checks:
  - {id: score_present, kind: completeness, table: predictions, column: score, window_days: 100,
     warn: 0.99, fail: 0.9}
"""


def test_check_names_a_damaged_file_and_checks_the_rest(two_files, capsys):
    lake, victim = two_files
    lake.put("datasets", [{"dataset_id": "scores", "name": "Scores"}])
    folder = contracts.contracts_dir(lake.root)
    folder.mkdir(parents=True)
    (folder / "scores.yaml").write_text(CONTRACT)
    damage(victim, "page_header")  # DuckDB fails on it mid-query
    code = cli(["check", "--lakehouse", str(lake.root), "--as-of", "2026-05-01", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 1, out
    assert f"unreadable file {victim.name}" in out
    assert "of 2,000 failing" in out or "0 of 2,000" in out  # the readable file's 2,000 rows were checked
