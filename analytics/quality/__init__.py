"""Data quality: contracts (rules as data), checks (DuckDB evaluation), tasks (stewardship),
runner (one run: evaluate, record, open/close tasks, raise alerts). See docs/governance.md."""
