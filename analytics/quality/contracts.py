"""Quality rules as data: one YAML contract file per dataset, ``<root>/_config/contracts/<id>.yaml``.

A contract declares checks; each check reads one lakehouse table (``table:``) or a Parquet/CSV file
(``path:``), optionally narrowed by equality filters (``where: {column: value}``), and carries a
``warn`` and a ``fail`` threshold. Kinds and their metric (unit):

* ``completeness``: share of rows where ``column`` is not null (0..1; breached when *below*)
* ``validity``: share of non-null ``column`` values that satisfy the rule (0..1; *below*); rules are
  ``type``, ``min``/``max``, ``allowed``, ``regex`` (combinable) or ``unique: true`` (alone)
* ``volume``: rows (or the sum of ``measure``) in the last day / median of the trailing
  ``trailing_days`` daily values (ratio; *below*)
* ``timeliness``: hours since the newest ``column`` value (hours; breached when *above*)

Completeness and validity look at the last ``window_days`` (default 1) before ``as_of`` when the
source has a time column. A malformed file raises ``InputError`` naming the file and the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analytics.errors import InputError
from analytics.lakehouse.objectstore import locate
from analytics.lakehouse.schema import TABLES
from analytics.lakehouse.storage import CONFIG

KINDS = ("completeness", "validity", "volume", "timeliness")
HIGHER_IS_BETTER = {"completeness": True, "validity": True, "volume": True, "timeliness": False}
TYPES = {"double": "DOUBLE", "integer": "BIGINT", "date": "DATE", "timestamp": "TIMESTAMPTZ",
         "boolean": "BOOLEAN", "varchar": "VARCHAR"}
RULE_KEYS = ("type", "min", "max", "allowed", "regex", "unique")
CHECK_KEYS = {"id", "kind", "table", "path", "where", "column", "time_column", "window_days", "warn",
              "fail", "trailing_days", "measure", "description", *RULE_KEYS}
CONTRACT_KEYS = {"dataset", "description", "checks"}


def contracts_dir(root: Path | str) -> Path:
    return locate(root) / CONFIG / "contracts"


@dataclass(frozen=True)
class Check:
    """One declared check (see the module docstring for kinds, metrics and directions)."""

    dataset_id: str
    check_id: str
    kind: str
    warn: float
    fail: float
    table: str | None = None
    path: str | None = None
    where: tuple[tuple[str, Any], ...] = ()
    column: str | None = None
    time_column: str | None = None
    window_days: int = 1
    trailing_days: int = 28
    measure: str | None = None
    rule: tuple[tuple[str, Any], ...] = ()
    file: str = ""
    line: int = 0

    @property
    def higher_is_better(self) -> bool:
        return HIGHER_IS_BETTER[self.kind]

    @property
    def source(self) -> str:
        return self.table or str(self.path)

    def describe_target(self) -> str:
        cond = ", ".join(f"{k}={v}" for k, v in self.where)
        return f"{self.source}" + (f" ({cond})" if cond else "")


@dataclass(frozen=True)
class Contract:
    dataset_id: str
    checks: tuple[Check, ...]
    file: str
    description: str = ""
    extra: dict = field(default_factory=dict)


class _Loader(yaml.SafeLoader):
    """Records the line of every mapping and of each of its keys (1-based)."""

    def construct_mapping(self, node, deep=False):  # noqa: ANN001
        mapping = super().construct_mapping(node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__lines__"] = {k.value: k.start_mark.line + 1 for k, _ in node.value
                                if isinstance(k, yaml.ScalarNode)}
        return mapping


def _err(file: str, line: int, what: str) -> InputError:
    return InputError(f"Contract {file}, line {line}: {what}",
                      hint="Fix the contract file and run `scaleboard check` again; nothing was written.")


def parse(text: str, *, file: str = "<contract>") -> Contract:
    """Parse and validate one contract's YAML text."""
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise _err(file, line, f"not valid YAML ({exc.problem or exc.context}).") from None
    if not isinstance(doc, dict):
        raise _err(file, 1, "the file must be a mapping with `dataset:` and `checks:`.")
    lines = doc["__lines__"]
    unknown = sorted(set(doc) - CONTRACT_KEYS - {"__line__", "__lines__"})
    if unknown:
        raise _err(file, lines.get(unknown[0], 1), f"unknown key '{unknown[0]}'; allowed: "
                   f"{', '.join(sorted(CONTRACT_KEYS))}.")
    dataset = doc.get("dataset")
    if not isinstance(dataset, str) or not dataset.strip():
        raise _err(file, lines.get("dataset", 1), "`dataset:` must name the dataset id (text).")
    raw_checks = doc.get("checks")
    if not isinstance(raw_checks, list) or not raw_checks:
        raise _err(file, lines.get("checks", doc["__line__"]), "`checks:` must be a non-empty list.")
    checks, seen = [], set()
    for raw in raw_checks:
        if not isinstance(raw, dict):
            raise _err(file, lines.get("checks", 1), "every item under `checks:` must be a mapping.")
        check = _check(raw, dataset, file)
        if check.check_id in seen:
            raise _err(file, raw["__line__"], f"check id '{check.check_id}' is used twice.")
        seen.add(check.check_id)
        checks.append(check)
    return Contract(dataset, tuple(checks), file, str(doc.get("description") or ""))


def _check(raw: dict, dataset: str, file: str) -> Check:  # noqa: C901 - one validation per key
    lines: dict[str, int] = raw["__lines__"]
    at = raw["__line__"]

    def line(key: str) -> int:
        return lines.get(key, at)

    unknown = sorted(set(raw) - CHECK_KEYS - {"__line__", "__lines__"})
    if unknown:
        raise _err(file, line(unknown[0]), f"unknown key '{unknown[0]}' in a check; allowed: "
                   f"{', '.join(sorted(CHECK_KEYS))}.")
    cid = raw.get("id")
    if not isinstance(cid, str) or not cid.strip():
        raise _err(file, at, "every check needs an `id:` (text, unique in the file).")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise _err(file, line("kind"), f"check '{cid}' has kind {kind!r}; use one of {', '.join(KINDS)}.")
    table, path = raw.get("table"), raw.get("path")
    if (table is None) == (path is None):
        raise _err(file, at, f"check '{cid}' needs exactly one of `table:` (a lakehouse table) or "
                   "`path:` (a Parquet/CSV file).")
    if table is not None and table not in TABLES:
        raise _err(file, line("table"), f"check '{cid}': unknown table {table!r}; known tables: "
                   f"{', '.join(sorted(TABLES))}.")
    if path is not None and not str(path).lower().endswith((".parquet", ".csv", ".csv.gz")):
        raise _err(file, line("path"), f"check '{cid}': `path:` must be a .parquet or .csv file.")
    columns = {f.name for f in TABLES[table].schema} if table else None

    def col(key: str, required: bool) -> str | None:
        value = raw.get(key)
        if value is None:
            if required:
                raise _err(file, at, f"check '{cid}' ({kind}) needs `{key}:`.")
            return None
        if not isinstance(value, str) or (columns is not None and value not in columns):
            known = f"; columns of {table}: {', '.join(sorted(columns))}" if columns else ""
            raise _err(file, line(key), f"check '{cid}': `{key}: {value}` is not a column{known}.")
        return value

    where_raw = raw.get("where") or {}
    if not isinstance(where_raw, dict):
        raise _err(file, line("where"), f"check '{cid}': `where:` must map columns to values.")
    where = []
    for k, v in where_raw.items():
        if k in ("__line__", "__lines__"):
            continue
        if columns is not None and k not in columns:
            raise _err(file, where_raw["__lines__"].get(k, line("where")),
                       f"check '{cid}': `where` column {k!r} is not a column of {table}.")
        if not isinstance(v, str | int | float | bool):
            raise _err(file, where_raw["__lines__"].get(k, line("where")),
                       f"check '{cid}': `where` value for {k!r} must be a single text or number.")
        where.append((k, v))

    thresholds = []
    for key in ("warn", "fail"):
        v = raw.get(key)
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise _err(file, line(key) if key in raw else at,
                       f"check '{cid}' needs a numeric `{key}:` threshold.")
        thresholds.append(float(v))
    warn, fail = thresholds
    if kind in ("completeness", "validity") and not (0 <= fail <= 1 and 0 <= warn <= 1):
        raise _err(file, line("warn"), f"check '{cid}': {kind} thresholds are shares between 0 and 1.")
    if HIGHER_IS_BETTER[kind] and warn < fail:
        raise _err(file, line("warn"), f"check '{cid}': `warn` ({warn}) must be at least `fail` ({fail}) "
                   f"because {kind} is breached when the value falls below the threshold.")
    if not HIGHER_IS_BETTER[kind] and warn > fail:
        raise _err(file, line("warn"), f"check '{cid}': `warn` ({warn}) must not exceed `fail` ({fail}) "
                   "because timeliness is breached when the age in hours rises above the threshold.")

    ints = {}
    for key, default in (("window_days", 1), ("trailing_days", 28)):
        v = raw.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise _err(file, line(key), f"check '{cid}': `{key}` must be a whole number of days >= 1.")
        ints[key] = v

    rule = _rule(raw, cid, kind, file, line)
    column = col("column", required=kind in ("completeness", "validity", "timeliness"))
    time_column = col("time_column", required=False)
    if table and time_column is None:  # default: the table's first timestamp column
        time_column = next((f.name for f in TABLES[table].schema if str(f.type).startswith("timestamp")),
                           None)
    if kind == "volume" and time_column is None:
        raise _err(file, at, f"check '{cid}': a volume check needs `time_column:` to count rows per day.")
    if kind == "timeliness" and time_column is None:
        time_column = column
    measure = col("measure", required=False)
    return Check(dataset, cid, kind, warn, fail, table=table, path=str(path) if path else None,
                 where=tuple(where), column=column, time_column=time_column,
                 window_days=ints["window_days"], trailing_days=ints["trailing_days"], measure=measure,
                 rule=rule, file=file, line=at)


def _rule(raw: dict, cid: str, kind: str, file: str, line) -> tuple[tuple[str, Any], ...]:  # noqa: ANN001
    present = [k for k in RULE_KEYS if k in raw]
    if kind != "validity":
        if present:
            raise _err(file, line(present[0]), f"check '{cid}': `{present[0]}` only applies to validity checks.")
        return ()
    if not present:
        raise _err(file, line("kind"), f"check '{cid}': a validity check needs a rule: one of "
                   f"{', '.join(RULE_KEYS)}.")
    if "unique" in present and len(present) > 1:
        raise _err(file, line("unique"), f"check '{cid}': `unique` must be the only rule of its check.")
    rule = []
    for k in present:
        v = raw[k]
        if k == "type" and v not in TYPES:
            raise _err(file, line(k), f"check '{cid}': type {v!r} is not one of {', '.join(TYPES)}.")
        if k in ("min", "max") and (isinstance(v, bool) or not isinstance(v, int | float)):
            raise _err(file, line(k), f"check '{cid}': `{k}` must be a number.")
        if k == "allowed" and (not isinstance(v, list) or not v or any(isinstance(x, dict | list) for x in v)):
            raise _err(file, line(k), f"check '{cid}': `allowed` must be a non-empty list of values.")
        if k == "regex":
            if not isinstance(v, str):
                raise _err(file, line(k), f"check '{cid}': `regex` must be text.")
            import duckdb

            try:
                duckdb.sql("select regexp_full_match('', $p)", params={"p": v}).fetchall()
            except duckdb.Error as exc:
                raise _err(file, line(k), f"check '{cid}': regex {v!r} is invalid ({exc}).") from None
        if k == "unique" and v is not True:
            raise _err(file, line(k), f"check '{cid}': `unique` must be `true`.")
        rule.append((k, tuple(str(x) for x in v) if k == "allowed" else v))
    if "min" in raw and "max" in raw and raw["min"] > raw["max"]:
        raise _err(file, line("min"), f"check '{cid}': `min` is greater than `max`.")
    return tuple(rule)


def load_file(path: Path) -> Contract:
    try:
        text = locate(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Contract {path} cannot be read ({exc}).") from exc
    contract = parse(text, file=locate(path).name)
    if locate(path).stem != contract.dataset_id:
        raise _err(contract.file, 1, f"the file is named {locate(path).name} but declares dataset "
                   f"'{contract.dataset_id}'; name it {contract.dataset_id}.yaml.")
    return contract


def load_all(folder: Path, *, only: list[str] | None = None) -> list[Contract]:
    """Every ``*.yaml``/``*.yml`` contract in ``folder`` (sorted), optionally only some datasets."""
    folder = locate(folder)
    if not folder.is_dir():
        raise InputError(f"No contracts folder at {folder}.",
                         hint="Write one YAML contract per dataset there (see docs/governance.md).")
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))
    contracts = [load_file(p) for p in files]
    if only:
        missing = sorted(set(only) - {c.dataset_id for c in contracts})
        if missing:
            raise InputError(f"No contract for dataset(s) {', '.join(missing)} in {folder}.")
        contracts = [c for c in contracts if c.dataset_id in only]
    return contracts


def dump(dataset_id: str, checks: list[dict], description: str = "") -> str:
    """YAML text for a contract (used by the demo to write its contract files)."""
    doc: dict[str, Any] = {"dataset": dataset_id}
    if description:
        doc["description"] = description
    doc["checks"] = checks
    return yaml.safe_dump(doc, sort_keys=False)
