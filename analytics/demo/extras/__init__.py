"""Demo extras: optional steps that enrich the demo lakehouse after the core tables are written.

Each module in this package that defines ``extend(root: Path, *, seed: int, end: date) -> None`` is
called by ``analytics.demo.generate`` once the core tables exist, in module-name order, with the
lakehouse being built (a temporary folder renamed into place afterwards), the demo's seed and the
last day of data. Capabilities that own their tables seed them here (quality contracts and results,
readiness-checklist events, the regulation tracker, fairness audits, ...).

Rules for an extra: be deterministic for (seed, end); write only through ``analytics.lakehouse``
(``append`` / ``atomic_write_parquet``, or files under ``<root>/_config/``); treat ``end`` as "now"
(never the wall clock); stay fast (the test fixture builds the demo in seconds).
"""
