"""The readiness wing: the checklist (items, state, write path, compaction) and its live
evidence."""
