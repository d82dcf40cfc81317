"""A damaged checklist file (zero bytes) is skipped and reported; it never blocks every change."""

from __future__ import annotations

import logging

from analytics.lakehouse import storage
from analytics.readiness import record


def test_a_zero_byte_checklist_file_does_not_block_checklist_add(lake, caplog):
    record.add_item(lake.root, "Model cards written", "steward", actor="ann")
    folder = lake.root / "checklist_events"
    empty = folder / storage.new_part_name()
    empty.write_bytes(b"")
    with caplog.at_level(logging.WARNING):
        iid = record.add_item(lake.root, "Runbook reviewed", "admin", actor="ann")
    assert iid == "runbook_reviewed"
    assert empty.name in caplog.text  # said which file
    assert {"model_cards_written", "runbook_reviewed"} <= record.known_items(lake.root)
