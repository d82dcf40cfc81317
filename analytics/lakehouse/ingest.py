"""Loading a company's own files (CSV or Parquet) into a lakehouse table, safely.

Contract (``ingest(root, table, files)``):

1. Every file is read and validated against ``analytics.lakehouse.schema`` before anything is written:
   size limit, format, known columns, required columns present and non-null, types, timestamps
   with a time zone and not in the future (``MAX_CLOCK_SKEW``), ranges (``RANGES``, declared as
   data), enums, key uniqueness within the batch and against every row already in the table, that
   ``model_id`` values exist in ``models``, and the ledger's own rules (``product.roi``).
   Who-did-it columns (``STAMPED``) are not taken from the file: they name the loader (``actor``).
2. On any problem ``IngestError`` (an ``InputError``) is raised carrying the first problems by file,
   row and column, and the lakehouse is left byte-identical.
3. Otherwise the batch is published all or nothing, even across a crash (``publish``): its files
   are staged under ``<root>/_staging/<batch>/`` with names that carry the batch id and file count,
   a ``batch.json`` records where they go, then they are renamed into place. Readers list a batch's
   files only when all of them are present (``storage.data_files``), so a batch is visible whole or
   not at all. A batch interrupted by a crash is finished (all files were in place) or rolled back
   (never visible) by the next ingest or by ``scaleboard doctor --repair`` (``recover``).

Timestamps: a value must say its time zone (``Z`` or ``+HH:MM``; Parquet columns must be
timezone-aware), unless the loader names the zone the file was recorded in (``Options.timezone``):
naive values are then read as that zone's local time (at a clock change an ambiguous time is the
earlier one, a time that does not exist is refused) and converted to UTC. Without a zone naive
timestamps are rejected rather than assumed UTC, because a wrong guess shifts every event silently.
Files as people have them (``Options``): columns renamed (``mapping``) or set to one value
(``constants``), a wide feature table (one column per feature) turned into the long ``features``
format (``Wide``), enumerations matched case-insensitively, ``value_ledger.entered_at`` defaulting to
the load time, and models the file names but the inventory lacks registered from it
(``register_models``), published before the rows that refer to them.
CSV conventions: UTF-8 (a BOM is fine) with a header row; the delimiter (``,`` ``;`` tab ``|``) is
detected from the header and fields may be double-quoted; with a delimiter other than ``,`` a column
whose every value is a number with a decimal comma (``3,5``) is read as ``3.5``. Empty field = null,
dates ``YYYY-MM-DD``, booleans ``true/false/1/0/yes/no``, list columns (``datasets.regulations``)
separated by ``;``.
Row numbers in problems count data rows from 1 (row 1 is the line after the header).
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import uuid
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from analytics.errors import InputError
from analytics.governance import audit
from analytics.lakehouse import storage, views
from analytics.lakehouse.objectstore import is_url, local_only
from analytics.lakehouse.schema import MODELS, TABLES, VALUE_LEDGER, Table, table

STAGING = "_staging"
BATCH_FILE = "batch.json"  # in a staging folder: the batch is complete and may be published
AUDITED = "audited"  # in a staging folder: the batch's audit event is written
# Tables nobody may load files into: the audit log is written only by ``analytics.governance.audit.record``,
# so an upload can never forge or bury who changed what.
NOT_INGESTIBLE = frozenset({"audit_log"})
MAX_PROBLEMS = 20
DEFAULT_MAX_BYTES = 200 * 1024 * 1024

# Ranges declared as data: (table, column) -> (low, high); None = unbounded; both ends inclusive.
RANGES: dict[tuple[str, str], tuple[float | None, float | None]] = {
    ("predictions", "latency_ms"): (0, None),
    ("feedback", "rating"): (1, 5),
    ("datasets", "retention_days"): (0, None),
    ("datasets", "freshness_sla_hours"): (0, None),
    ("dataset_batches", "n_rows"): (0, None),
    ("dataset_batches", "n_null_key"): (0, None),
    ("quality_results", "n_rows"): (0, None),
    ("quality_results", "n_failed"): (0, None),
    ("fairness_audits", "n"): (0, None),
    ("fairness_audits", "selection_rate"): (0, 1),
    ("fairness_audits", "recall"): (0, 1),
    ("fairness_audits", "fpr"): (0, 1),
    ("fairness_audits", "disparate_impact"): (0, None),
}
# Columns whose range depends on the model's task in the models table (classifiers only).
CLASSIFIER_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("predictions", "score"): (0, 1),
    ("outcomes", "label"): (0, 1),
}
# Times are facts that happened: none may lie after now plus this much clock difference between
# machines (a ledger entry stamped 2099 would override every later correction).
MAX_CLOCK_SKEW = timedelta(minutes=15)
# Timestamp columns that may name a planned moment in the future.
FUTURE_ALLOWED: frozenset[tuple[str, str]] = frozenset({("experiment_defs", "ended_at")})
# Who-did-it columns stamped with the loader's name (the signed-in user, or the OS user / --by on
# the command line), never taken from the file: (table, column) -> the column whose value says the
# act happened (None: every row). A file cannot sign off an audit or act in someone else's name.
STAMPED: dict[tuple[str, str], str | None] = {
    ("checklist_events", "actor"): None,
    ("stewardship_tasks", "actor"): None,
    ("regulation_events", "actor"): None,
    ("fairness_audits", "signed_off_by"): "signed_off_at",
    ("value_ledger", "entered_by"): None,
}
# Columns that take the load time when the file leaves them out or empty.
DEFAULT_NOW: frozenset[tuple[str, str]] = frozenset({("value_ledger", "entered_at")})
BOOLS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
_NAIVE_RE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$"  # a date-time without a zone
_TS_FORMAT = "%Y-%m-%dT%H:%M:%S%.f%z"


def ingestible_tables() -> list[str]:
    return sorted(set(TABLES) - NOT_INGESTIBLE)


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # 1-based data row; None for file- or column-level problems
    column: str | None
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        got = f" (got {self.value!r})" if self.value is not None else ""
        return f"{where}: {self.message}{got}"


class IngestError(InputError):
    """Validation failed; ``problems`` holds the first ones, ``n_problems`` counts all found."""

    def __init__(self, table_name: str, problems: list[Problem], n_problems: int | None = None, *,
                 unknown_models: Sequence[str] = ()) -> None:
        self.unknown_models = tuple(unknown_models)
        problems = list(dict.fromkeys(problems))  # a wide table's row repeats one problem per feature
        order = {f: i for i, f in enumerate(dict.fromkeys(p.file for p in problems))}
        ranked = sorted(problems, key=lambda p: (order[p.file], p.row or 0))  # stable: check order kept
        self.problems = ranked[:MAX_PROBLEMS]
        self.n_problems = n_problems if n_problems is not None else len(problems)
        first = "\n".join(f"  - {p}" for p in self.problems)
        more = self.n_problems - len(self.problems)
        super().__init__(
            f"Nothing was loaded into '{table_name}': {self.n_problems} problem(s) found.\n{first}"
            + (f"\n  … and {more} more." if more > 0 else ""),
            hint="Fix the file(s) and run the same command again; the lakehouse was not changed."
                 + (f" Models not in the inventory ({', '.join(self.unknown_models)}): load them with "
                    "--register-models (a notice names the defaults), or load a models file first."
                    if self.unknown_models else ""))


@dataclass(frozen=True)
class Source:
    """A file to ingest: a path on disk, or an uploaded name with its bytes."""

    name: str
    path: Path | None = None
    data: bytes | None = field(default=None, repr=False)

    @classmethod
    def of(cls, item: Path | str | Source | tuple[str, bytes]) -> Source:
        if isinstance(item, Source):
            return item
        if isinstance(item, tuple):
            return cls(name=str(item[0]), data=bytes(item[1]))
        return cls(name=Path(item).name, path=Path(item))

    def size(self) -> int:
        return len(self.data) if self.data is not None else self.path.stat().st_size  # type: ignore[union-attr]

    def read(self) -> bytes:
        return self.data if self.data is not None else self.path.read_bytes()  # type: ignore[union-attr]


@dataclass(frozen=True)
class Recovery:
    """What became of a batch an earlier ingest left behind (killed, or the machine went down)."""

    batch: str
    table: str
    files: tuple[str, ...]
    rows: int
    finished: bool  # True: every file was in place (visible), only the tidying was left
    fingerprint: str | None = None

    def __str__(self) -> str:
        what = f"the interrupted load of {', '.join(self.files) or 'unknown files'} into '{self.table}'"
        if self.finished:
            return f"{what[0].upper()}{what[1:]} ({self.rows} rows) had been published whole; it was finished."
        return (f"{what[0].upper()}{what[1:]} was never visible and was rolled back; "
                "load the files again.")


@dataclass(frozen=True)
class IngestReport:
    table: str
    files: tuple[str, ...]
    rows: int
    written: tuple[Path, ...]
    recovered: tuple[Recovery, ...] = ()
    already_loaded: bool = False  # these very files were published by an interrupted run
    notices: tuple[str, ...] = ()  # how the files were read: dialect, time zone rule, registered models
    registered_models: tuple[str, ...] = ()


# ---------------------------------------------------------------- reading

def _fail(src: Source, message: str, column: str | None = None) -> list[Problem]:
    return [Problem(src.name, None, column, message)]


def read_source(src: Source, max_bytes: int, notes: list[str] | None = None
                ) -> tuple[pl.DataFrame | None, list[Problem]]:
    """The file as a frame (CSV: all text; Parquet: its own types), or the problems reading it;
    what was detected about a CSV file's dialect is appended to ``notes``."""
    suffix = src.name.lower().rsplit(".", 1)[-1] if "." in src.name else ""
    if suffix not in ("csv", "parquet"):
        return None, _fail(src, "unsupported file type: use a .csv or .parquet file")
    try:
        size = src.size()
    except OSError as exc:
        return None, _fail(src, f"cannot read the file ({exc.strerror or exc})")
    if size > max_bytes:
        return None, _fail(src, f"the file is {size / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.1f} MB; "
                                "split it into smaller files")
    if size == 0:
        return None, _fail(src, "the file is empty")
    raw = src.read()
    if suffix == "parquet":
        if raw[:4] != b"PAR1" or raw[-4:] != b"PAR1":
            return None, _fail(src, "not a valid Parquet file (truncated or another format)")
        try:
            return pl.from_arrow(pq.ParquetFile(io.BytesIO(raw)).read()), []  # type: ignore[return-value]
        except Exception as exc:  # pyarrow raises many types for damaged files
            return None, _fail(src, f"the Parquet file cannot be read ({type(exc).__name__}: "
                                    f"{str(exc).splitlines()[0] if str(exc) else ''})")
    return _read_csv(src, raw, notes if notes is not None else [])


DELIMITERS = (",", ";", "\t", "|")
_DECIMAL_COMMA = r"^\s*[+-]?\d+(,\d+)?\s*$"


def _delimiter(header_line: str) -> str:
    """The delimiter: the candidate seen most often in the header outside quotes (ties: ``,``)."""
    outside = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _read_csv(src: Source, raw: bytes, notes: list[str]) -> tuple[pl.DataFrame | None, list[Problem]]:
    if b"\x00" in raw[:8192]:
        return None, _fail(src, "this looks like a binary file, not CSV text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return None, _fail(src, f"not UTF-8 text: invalid byte at line {line}; save the file as UTF-8")
    delim = _delimiter(text[:text.find("\n")] if "\n" in text else text)
    frame = _fast_csv(raw, text, delim)
    if frame is None:  # anything unusual: the exact reader says what and where
        frame, problems = _exact_csv(src, text, delim)
        if frame is None:
            return None, problems
    if delim != ",":
        notes.append(f"{src.name}: delimiter {'tab' if delim == chr(9) else repr(delim)} detected")
        comma = [c for c in frame.columns if frame[c].drop_nulls().len()
                 and frame[c].drop_nulls().str.contains(_DECIMAL_COMMA).all()
                 and frame[c].drop_nulls().str.contains(",", literal=True).any()]
        if comma:  # a decimal comma (3,5), only where every value of the column is such a number
            frame = frame.with_columns(pl.col(comma).str.replace(",", ".", literal=True))
            notes.append(f"{src.name}: decimal comma read in {', '.join(comma)}")
    return frame, []


def _empty_is_null(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.when(pl.col(h) != "").then(pl.col(h)).alias(h) for h in frame.columns)


def _fast_csv(raw: bytes, text: str, delim: str) -> pl.DataFrame | None:
    """Polars' reader (about 10x Python's) when the file is plainly well formed, else None. Polars
    fills a short row, or a blank line, with nulls; both leave the last column null, so any null
    there sends the file to the exact reader, as does a header that differs from Python's reading."""
    try:
        header = next(csv.reader(io.StringIO(text[:65536], newline=""), delimiter=delim, strict=True))
        body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
        frame = pl.read_csv(io.BytesIO(body), separator=delim, infer_schema=False, quote_char='"',
                            truncate_ragged_lines=False, raise_if_empty=True)
    except Exception:  # malformed in some way: the exact reader names the problem
        return None
    stripped = [c.strip() for c in header]
    if (frame.columns != header or len(set(stripped)) != len(stripped) or not any(stripped)
            or (frame.height and frame[frame.columns[-1]].null_count())):
        return None
    return _empty_is_null(frame.rename(dict(zip(header, stripped, strict=True))))


def _exact_csv(src: Source, text: str, delim: str) -> tuple[pl.DataFrame | None, list[Problem]]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True))
    except csv.Error as exc:
        return None, _fail(src, f"malformed CSV ({exc})")
    if not rows or not any(c.strip() for c in rows[0]):
        return None, _fail(src, "no header row")
    header = [c.strip() for c in rows[0]]
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        return None, [Problem(src.name, None, c, "the column appears more than once in the header") for c in dupes]
    body = list(filter(None, rows[1:]))  # blank lines are skipped
    if set(map(len, body)) - {len(header)}:
        return None, [Problem(src.name, i, None, f"has {len(r)} fields, the header has {len(header)}")
                      for i, r in enumerate(body, start=1) if len(r) != len(header)]
    cols = zip(*body, strict=True) if body else ([] for _ in header)
    return _empty_is_null(pl.DataFrame({h: pl.Series(h, c, dtype=pl.String)
                                        for h, c in zip(header, cols, strict=True)})), []


# ---------------------------------------------------------------- shaping files as people have them

@dataclass(frozen=True)
class Wide:
    """A wide feature table: one row per request, one column per feature."""

    id_column: str  # becomes request_id
    time_column: str  # becomes feature_at
    model: str | None = None  # model_id for every row (else the file's model_id column)
    version: str | None = None


@dataclass(frozen=True)
class Options:
    """How to read files that are not in the table's shape yet (every field optional)."""

    timezone: str | None = None  # the zone naive timestamps were recorded in
    mapping: dict[str, str] = field(default_factory=dict)  # file column -> table column ("" drops it)
    constants: dict[str, str] = field(default_factory=dict)  # table column -> one value for every row
    wide: Wide | None = None
    register_models: bool = False
    business_unit: str = "unassigned"  # for registered models
    task: str | None = None  # for registered models; None: inferred from the scores/labels


def load_mapping(path: Path | str) -> dict:
    """A saved mapping file (YAML): ``columns: {file column: table column}``, optionally ``set:
    {column: value}``, ``timezone:``, ``wide: {id_column, time_column, model, version}``. A plain
    ``{file column: table column}`` mapping is read as ``columns``."""
    import yaml  # only when a mapping file is used

    try:
        doc = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"Cannot read the mapping file {path}: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError(f"The mapping file {path} must be a YAML mapping of file column: table column.")
    known = {"columns", "set", "timezone", "wide"}
    if not set(doc) & known:
        doc = {"columns": doc}
    bad = sorted(set(doc) - known)
    if bad:
        raise InputError(f"The mapping file {path} has unknown keys {', '.join(bad)}; use {', '.join(sorted(known))}.")
    return {"columns": {str(k): "" if v is None else str(v) for k, v in (doc.get("columns") or {}).items()},
            "set": {str(k): str(v) for k, v in (doc.get("set") or {}).items()},
            "timezone": doc.get("timezone"), "wide": doc.get("wide")}


def _numeric(s: pl.Series) -> bool:
    vals = s.drop_nulls()
    if s.dtype.is_numeric():
        return True
    if s.dtype != pl.String or not vals.len():
        return False
    return bool(vals.str.strip_chars().cast(pl.Float64, strict=False).is_not_null().all())


def _to_long(fname: str, frame: pl.DataFrame, wide: Wide) -> tuple[pl.DataFrame | None, list[Problem]]:
    """A wide feature table in the long ``features`` format; ``_row`` keeps each value's line."""
    missing = [c for c in (wide.id_column, wide.time_column) if c not in frame.columns]
    if missing:
        return None, [Problem(fname, None, c, "the wide table's id/time column is not in the file") for c in missing]
    index = [wide.id_column, wide.time_column] + [c for c in ("model_id", "version") if c in frame.columns]
    feats = [c for c in frame.columns if c not in index and c != "_row"]
    if not feats:
        return None, [Problem(fname, None, None, "the wide table has no feature columns")]
    numeric = [c for c in feats if _numeric(frame[c])]
    long = (frame.with_columns(pl.col(feats).cast(pl.String), pl.int_range(1, frame.height + 1).alias("_row"))
            .unpivot(index=[*index, "_row"], on=feats, variable_name="feature", value_name="_value")
            .with_columns(pl.when(pl.col("feature").is_in(numeric)).then(pl.col("_value")).alias("value_num"),
                          pl.when(~pl.col("feature").is_in(numeric)).then(pl.col("_value")).alias("value_cat"))
            .drop("_value").rename({wide.id_column: "request_id", wide.time_column: "feature_at"}))
    if wide.model is not None:
        long = long.with_columns(pl.lit(wide.model).alias("model_id"))
    if wide.version is not None:
        long = long.with_columns(pl.lit(wide.version).alias("version"))
    return long.sort("_row", maintain_order=True), []


def shape(fname: str, frame: pl.DataFrame, spec: Table, opts: Options
          ) -> tuple[pl.DataFrame | None, list[Problem]]:
    """Apply the mapping, constants and the wide-to-long turn to one file's frame."""
    absent = [c for c in opts.mapping if c not in frame.columns]
    if absent:
        return None, [Problem(fname, None, c, "the mapping names this column but the file has no such column"
                              f" (the file has: {', '.join(frame.columns[:12])})") for c in absent]
    frame = frame.drop([c for c, t in opts.mapping.items() if not t])
    renames = {c: t for c, t in opts.mapping.items() if t and t != c}
    clash = [t for t in renames.values() if t in frame.columns and t not in renames]
    if clash:
        return None, [Problem(fname, None, t, "the mapping renames another column to this one, which the file "
                              "already has; drop one of them (map it to nothing)") for t in clash]
    frame = frame.rename(renames)
    if opts.wide is not None:
        if spec.name != "features":
            return None, [Problem(fname, None, None, "a wide table can only be loaded into 'features'")]
        frame, found = _to_long(fname, frame, opts.wide)
        if frame is None:
            return None, found
    return frame.with_columns(pl.lit(v, dtype=pl.String).alias(c) for c, v in opts.constants.items()), []


def _registrations(root: Path, spec: Table, frames: list[tuple[str, pl.DataFrame]], opts: Options
                   ) -> tuple[list[str], pl.DataFrame | None]:
    """Model ids the batch names that the inventory lacks, and (``register_models``) their rows."""
    if spec.name == MODELS.name or "model_id" not in spec.schema.names:
        return [], None
    seen = [f["model_id"].cast(pl.String) for _, f in frames if "model_id" in f.columns]
    if not seen:
        return [], None
    ids = pl.concat(seen).drop_nulls().str.strip_chars().unique(maintain_order=True)
    known = _existing(root, MODELS, ["model_id"])["model_id"]
    new = [m for m in ids.to_list() if m and m not in set(known.to_list())]
    if not new or not opts.register_models:
        return new, None
    task = opts.task
    if task is None:  # scores or labels all within 0..1: a classifier; otherwise a regressor
        col = "score" if spec.name == "predictions" else "label" if spec.name == "outcomes" else None
        vals = [f[col].cast(pl.Float64, strict=False) for _, f in frames if col and col in f.columns]
        task = "regression" if vals and bool(((pl.concat(vals) < 0) | (pl.concat(vals) > 1)).any()) else "classification"
    rows = pl.DataFrame({"model_id": new, "name": new, "business_unit": [opts.business_unit] * len(new),
                         "stage": ["pilot"] * len(new), "task": [task] * len(new)})  # created_at: unknown
    return new, rows


# ---------------------------------------------------------------- converting

def _polars_type(t: pa.DataType) -> pl.DataType:
    # mapped directly: building an empty Arrow array to ask polars makes it import pandas (~1 s)
    if pa.types.is_timestamp(t):
        return pl.Datetime(t.unit, t.tz)  # type: ignore[arg-type]
    if pa.types.is_list(t):
        return pl.List(_polars_type(t.value_type))
    simple = {pa.string(): pl.String, pa.float64(): pl.Float64, pa.int64(): pl.Int64, pa.int32(): pl.Int32,
              pa.bool_(): pl.Boolean, pa.date32(): pl.Date, pa.float32(): pl.Float32}
    if t in simple:
        return simple[t]()
    return pl.from_arrow(pa.array([], type=t)).dtype  # type: ignore[union-attr]


def _bad(frame: pl.DataFrame, mask: pl.Series, col: str, message: str, src: pl.Series | None = None
         ) -> list[Problem]:
    """Problems for the first rows where ``mask`` is true (and a count via the caller)."""
    idx = mask.fill_null(False).arg_true()
    vals = (src if src is not None else frame[col])
    out = []
    for i in idx.head(MAX_PROBLEMS).to_list():
        v = vals[i]
        out.append(Problem(frame["_file"][i], int(frame["_row"][i]), col, message,
                           None if v is None else str(v)[:80]))
    return out


def _count(mask: pl.Series) -> int:
    return int(mask.fill_null(False).sum())


NAIVE_HINT = ("or name the time zone the file was recorded in (scaleboard ingest --timezone ZONE, e.g. "
              "Europe/Lisbon; the Load data page's 'Time zone of naive times')")


def check_zone(tz: str) -> str:
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(f"Unknown time zone {tz!r}: use an IANA name such as UTC, Europe/Lisbon or "
                         "America/New_York.") from None
    return tz


def zone_rule(tz: str) -> str:
    return (f"naive times read as local time in {tz} and converted to UTC (at a clock change an "
            "ambiguous time is the earlier one; a time that does not exist is refused)")


def _localize(s: pl.Series, tz: str) -> pl.Series:
    return s.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")


def convert_column(s: pl.Series, target: pa.DataType, tz: str | None = None
                   ) -> tuple[pl.Series, list[tuple[pl.Series, str]]]:
    """Convert one column to the schema type. Returns (converted, [(bad-row mask, message), …]).
    With ``tz`` naive timestamps are that zone's local time (``zone_rule``)."""
    out, *rest = _convert(s, target, tz)
    if len(rest) == 1:
        return out, rest[0]
    return out, [] if rest[0] is None else [(rest[0], rest[1])]


def _convert(s: pl.Series, target: pa.DataType, tz: str | None = None):
    want = _polars_type(target)
    if s.dtype == pl.String:
        if pa.types.is_string(target):
            return s, None, ""
        t = s.str.strip_chars()
        t = t.replace("", None)
        if pa.types.is_timestamp(target):
            norm = t.str.replace(r"[zZ]$", "+00:00").str.replace(r"^(\d{4}-\d{2}-\d{2}) ", "${1}T")
            out = norm.str.to_datetime(format=_TS_FORMAT, strict=False, time_unit="us", time_zone="UTC")
            naive = t.is_not_null() & t.str.contains(_NAIVE_RE)
            bad = t.is_not_null() & out.is_null() & ~naive
            if tz is None:
                return out, [(naive, "timestamp has no time zone: add 'Z' for UTC or an offset such as "
                                     f"'+01:00', {NAIVE_HINT} (naive timestamps are not guessed)"),
                             (bad, "not a timestamp like 2026-03-01T12:00:00Z")]
            full = (t.str.replace(r"^(\d{4}-\d{2}-\d{2})$", "${1}T00:00:00")
                    .str.replace(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})$", "${1}T${2}:00")
                    .str.replace(r"^(\d{4}-\d{2}-\d{2}) ", "${1}T"))
            local = full.str.to_datetime(format="%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us")
            utc = _localize(local, tz)
            gap = naive & local.is_not_null() & utc.is_null()
            out = pl.select(pl.when(naive).then(utc).otherwise(out)).to_series().alias(s.name)
            return out, [(gap, f"this local time does not exist in {tz} (the clocks went forward)"),
                         (naive & local.is_null(), "not a timestamp like 2026-03-01T12:00:00"),
                         (bad, "not a timestamp like 2026-03-01T12:00:00Z")]
        if pa.types.is_date(target):
            out = t.str.to_date("%Y-%m-%d", strict=False)
            return out, t.is_not_null() & out.is_null(), "not a date like 2026-03-01"
        if pa.types.is_boolean(target):
            out = t.str.to_lowercase().replace_strict(BOOLS, default=None, return_dtype=pl.Boolean)
            return out, t.is_not_null() & out.is_null(), "not a boolean (true/false)"
        if pa.types.is_list(target):
            out = t.str.split(";").list.eval(pl.element().str.strip_chars()).list.eval(
                pl.element().filter(pl.element() != ""))
            return out, None, ""
        if pa.types.is_integer(target):
            out = t.cast(pl.Int64, strict=False)
            bad = t.is_not_null() & out.is_null()
            return _int_range(out, bad, want, "not a whole number")
        out = t.cast(pl.Float64, strict=False)
        bad = t.is_not_null() & (out.is_null() | ~out.is_finite().fill_null(True))
        return out, bad, "not a finite number"
    # typed source (Parquet)
    if pa.types.is_timestamp(target):
        if isinstance(s.dtype, pl.Datetime):
            if s.dtype.time_zone is None and tz is not None:
                local = s.cast(pl.Datetime("us"))
                out = _localize(local, tz)
                return out, local.is_not_null() & out.is_null(), (
                    f"this local time does not exist in {tz} (the clocks went forward)")
            if s.dtype.time_zone is None:
                return s.cast(pl.Datetime("us")).dt.replace_time_zone("UTC"), s.is_not_null(), (
                    "the Parquet column holds naive timestamps: write it timezone-aware (e.g. UTC), "
                    + NAIVE_HINT)
            return s.dt.convert_time_zone("UTC").cast(want), None, ""
        return pl.Series(s.name, [None] * s.len(), dtype=want), s.is_not_null() | s.is_null(), (
            f"has type {s.dtype}, expected a timezone-aware timestamp")
    if pa.types.is_integer(target) and s.dtype.is_float():
        bad = s.is_not_null() & ~((s == s.floor()).fill_null(False))
        return _int_range(s.cast(pl.Int64, strict=False), bad, want, "not a whole number")
    try:
        out = s.cast(want, strict=False)
    except Exception:
        return pl.Series(s.name, [None] * s.len(), dtype=want), s.is_not_null() | s.is_null(), (
            f"has type {s.dtype}, expected {target}")
    bad = s.is_not_null() & out.is_null()
    if want == pl.Float64:
        bad = bad | (out.is_not_null() & ~out.is_finite().fill_null(True))
    return out, bad, f"cannot be read as {target}"


def _int_range(out: pl.Series, bad: pl.Series, want: pl.DataType, message: str):
    if want == pl.Int32:
        over = out.is_not_null() & ((out > 2**31 - 1) | (out < -(2**31)))
        if _count(over):
            return out, bad | over, "whole number out of the 32-bit range"
        out = out.cast(pl.Int32, strict=False)
    return out, bad, message


# ---------------------------------------------------------------- validating

def _existing(root: Path, spec: Table, columns: Sequence[str]) -> pl.DataFrame:
    """Columns of rows already in the lakehouse (unreadable files are skipped, as readers do)."""
    parts = []
    schema = {c: _polars_type(spec.schema.field(c).type) for c in columns}
    for f in storage.data_files(root / spec.name):
        try:
            names = pq.read_schema(f).names
            t = pq.ParquetFile(f).read(columns=[c for c in columns if c in names])  # no pyarrow.dataset: it imports pandas
        except Exception:
            continue
        df = pl.from_arrow(t)
        parts.append(df.with_columns(pl.lit(None, dtype=schema[c]).alias(c) for c in columns
                                     if c not in df.columns).select(columns).cast(schema))  # type: ignore[union-attr]
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def _existing_keys(root: Path, spec: Table, batch: pl.DataFrame) -> pl.DataFrame:
    """The batch's keys that already exist anywhere in the table (every partition, not only the
    months the batch touches: a second outcome for a request in a later month is a duplicate too).
    DuckDB streams the table against the batch's keys, so memory stays bounded by the batch."""
    key = list(spec.key)
    con = views.new_connection()
    try:
        views.register_table(con, root, spec.name, view="existing")  # unreadable files skipped, as readers do
        con.register("batch_keys", batch.select(key).unique().to_arrow())
        on = " and ".join(f"e.{views.quote_ident(c)} is not distinct from b.{views.quote_ident(c)}" for c in key)
        cols = ", ".join(f"b.{views.quote_ident(c)}" for c in key)
        found = con.sql(f"select distinct {cols} from batch_keys b where exists "
                        f"(select 1 from existing e where {on})").pl()
    finally:
        con.close()
    return found.cast(batch.select(key).schema)  # type: ignore[arg-type]


def validate(root: Path, spec: Table, frames: list[tuple[str, pl.DataFrame]], *,
             allow_extra: bool = False, actor: str | None = None,
             now: datetime | None = None, tz: str | None = None,
             extra_models: pl.DataFrame | None = None) -> tuple[pa.Table | None, list[Problem], int]:
    """Check and convert a batch of raw frames. Returns (table or None, first problems, total count).

    With ``actor`` the ``STAMPED`` columns name it (a file need not carry them); times after
    ``now`` (default: the clock) plus ``MAX_CLOCK_SKEW`` are refused; ``DEFAULT_NOW`` columns left
    empty are ``now``. ``tz``: the zone of naive timestamps. ``extra_models`` (model_id, task): models
    registered with this batch. A frame's ``_row`` column, when present, numbers its rows (a wide
    table's rows keep their line in the file)."""
    now = now or datetime.now(UTC)
    problems: list[Problem] = []
    total = 0

    def add(found: list[Problem], n: int) -> None:
        nonlocal total
        problems.extend(found)
        total += n

    names = [f.name for f in spec.schema]
    stamped = {c: cond for (t, c), cond in STAMPED.items() if t == spec.name} if actor else {}
    converted: list[pl.DataFrame] = []
    defaulted = {c for (t, c) in DEFAULT_NOW if t == spec.name}
    for fname, raw in frames:
        rows = raw["_row"] if "_row" in raw.columns else pl.int_range(1, raw.height + 1, eager=True)
        raw = raw.drop("_row", strict=False)
        unknown = [c for c in raw.columns if c not in names]
        missing = [c for c in spec.required if c not in raw.columns and c not in stamped and c not in defaulted]
        for c in unknown if not allow_extra else []:
            close = difflib.get_close_matches(c, names, n=1)
            add([Problem(fname, None, c, "unknown column for table '" + spec.name + "'"
                         + (f"; did you mean '{close[0]}'?" if close else ""))], 1)
        for c in missing:
            add([Problem(fname, None, c, "required column is missing")], 1)
        if raw.height == 0:
            add([Problem(fname, None, None, "the file has no data rows")], 1)
        if unknown and not allow_extra or missing or raw.height == 0:
            continue
        frame = raw.with_columns(pl.lit(fname).alias("_file"), rows.alias("_row"))
        cols = []
        for f in spec.schema:
            if f.name not in raw.columns:
                cols.append(pl.Series(f.name, [None] * raw.height, dtype=_polars_type(f.type)))
                cols.append(pl.Series(f"_bad_{f.name}", [False] * raw.height))
                continue
            out, checks = convert_column(raw[f.name], f.type, tz)
            bad = pl.Series([False] * raw.height)
            for mask, msg in checks:
                mask = mask.fill_null(False)
                if _count(mask):
                    add(_bad(frame, mask, f.name, msg), _count(mask))
                    bad = bad | mask
            # unreadable values become null so the checks below still report everything else
            cols.append(pl.select(pl.when(bad).then(None).otherwise(out)).to_series().alias(f.name))
            cols.append(bad.alias(f"_bad_{f.name}"))
        converted.append(pl.DataFrame(cols).with_columns(frame["_file"], frame["_row"]))
    if not converted:
        return None, problems, total
    batch = pl.concat(converted, how="vertical_relaxed")
    for c, cond in stamped.items():  # who did it is the loader, whatever the file says
        acted = pl.lit(True) if cond is None else pl.col(c).is_not_null() | pl.col(cond).is_not_null()
        batch = batch.with_columns(pl.when(acted).then(pl.lit(actor)).otherwise(None).alias(c),
                                   pl.lit(False).alias(f"_bad_{c}"))
    for c in defaulted:  # e.g. a ledger entry's entered_at: when it was loaded, unless the file says
        batch = batch.with_columns(pl.col(c).fill_null(pl.lit(now).dt.cast_time_unit("us")
                                                       .dt.convert_time_zone("UTC")))
    # times in the future (beyond a small clock difference)
    latest = now + MAX_CLOCK_SKEW
    for f in spec.schema:
        if pa.types.is_timestamp(f.type) and (spec.name, f.name) not in FUTURE_ALLOWED:
            mask = (batch[f.name] > latest).fill_null(False)
            add(_bad(batch, mask, f.name, f"is in the future (after {latest:%Y-%m-%d %H:%M} UTC); "
                                          "times must not be later than now"), _count(mask))
    # nulls in required columns (a value already reported as unreadable is not reported twice)
    for c in spec.required:
        mask = batch[c].is_null() & ~batch[f"_bad_{c}"]
        add(_bad(batch, mask, c, "required value is empty"), _count(mask))
    # enums
    for c, allowed in spec.enums.items():  # matched case-insensitively: "Invoke" is invoke
        folded = batch[c].str.strip_chars().str.to_lowercase()
        batch = batch.with_columns(pl.when(folded.is_in(list(allowed))).then(folded).otherwise(pl.col(c)).alias(c))
        mask = batch[c].is_not_null() & ~batch[c].is_in(list(allowed))
        add(_bad(batch, mask, c, f"must be one of {', '.join(allowed)}"), _count(mask))
    # declared ranges
    for (tname, c), (lo, hi) in RANGES.items():
        if tname == spec.name:
            add(*_range_problems(batch, c, lo, hi))
    # classifier-only ranges and references to the model inventory
    if "model_id" in names and spec.name != MODELS.name:
        models = _existing(root, MODELS, ["model_id", "task"])
        if extra_models is not None:
            models = pl.concat([models, extra_models.select("model_id", "task")], how="vertical_relaxed")
        models = models.unique("model_id", keep="last")
        unknown = batch["model_id"].is_not_null() & ~batch["model_id"].is_in(models["model_id"].implode())
        add(_bad(batch, unknown, "model_id", "this model is not in the models table; register it with "
                                             "--register-models or load the models first"),
            _count(unknown))
        classifiers = models.filter(pl.col("task") == "classification")["model_id"]
        for (tname, c), (lo, hi) in CLASSIFIER_RANGES.items():
            if tname == spec.name:
                is_clf = batch["model_id"].is_in(classifiers.implode())
                add(*_range_problems(batch, c, lo, hi, where=is_clf, suffix=" for a classification model"))
    # the ledger's own rules, as the Value & ROI page applies them (first of the month, amounts not
    # negative, a whole interval around the amount); checked per file once the values are readable
    if spec.name == VALUE_LEDGER.name and not total:
        add(*_ledger_problems(root, batch))
    # key uniqueness within the batch and against every row already in the table
    if spec.key:
        key = list(spec.key)
        shown = batch.select(pl.concat_str(key, separator="|", ignore_nulls=True)).to_series()
        dup = batch.select(pl.struct(key).is_duplicated()).to_series()
        add(_bad(batch, dup, ", ".join(key), "duplicate key within the upload", shown), _count(dup))
        old = _existing_keys(root, spec, batch)
        if old.height:
            clash = batch.select(pl.struct(key).is_in(old.select(pl.struct(key)).to_series().implode())).to_series()
            add(_bad(batch, clash, ", ".join(key), "this key already exists in the lakehouse", shown),
                _count(clash))
    if total:
        return None, problems, total
    return batch.select([f.name for f in spec.schema]).to_arrow().cast(spec.schema), [], 0


def _ledger_problems(root: Path, batch: pl.DataFrame) -> tuple[list[Problem], int]:
    # imported here: the ledger's rules live with the page's write path (one definition)
    from analytics.product import roi

    known = set(_existing(root, MODELS, ["model_id"])["model_id"].drop_nulls().to_list())
    found = []
    for (fname,), rows in batch.group_by("_file", maintain_order=True):
        try:
            roi.validate_entries(rows.select(roi.LEDGER_INPUT_COLUMNS).to_dicts(), actor="ingest",
                                 known_models=known)
        except InputError as exc:  # the first problem of the file, "Row N: …" as the page says it
            found.append(Problem(str(fname), None, None, str(exc)))
    return found, len(found)


def _range_problems(batch: pl.DataFrame, c: str, lo, hi, where: pl.Series | None = None, suffix: str = ""):
    s = batch[c]
    mask = pl.Series([False] * batch.height)
    if lo is not None:
        mask = mask | (s < lo).fill_null(False)
    if hi is not None:
        mask = mask | (s > hi).fill_null(False)
    if where is not None:
        mask = mask & where
    span = f"between {lo:g} and {hi:g}" if lo is not None and hi is not None else (
        f"at least {lo:g}" if lo is not None else f"at most {hi:g}")
    return _bad(batch, mask, c, f"must be {span}{suffix}"), _count(mask)


# ---------------------------------------------------------------- writing

def ingest(root: Path | str, table_name: str, files: Sequence[Path | str | Source | tuple[str, bytes]], *,
           actor: str, role: str | None = None, page: str = "cli", max_bytes: int | None = None,
           allow_extra: bool = False, dry_run: bool = False, options: Options | None = None) -> IngestReport:
    """Validate ``files`` for ``table_name`` and append them all, or nothing.

    ``options`` says how to read files not yet in the table's shape (``Options``). Models registered
    from the files (``register_models``) are published just before the rows, and removed again if
    those cannot be published. A batch an earlier run left behind is finished or rolled back first
    (``recover``); when it was these very files and it had been published whole, nothing is loaded
    twice (``already_loaded``). Raises ``UnknownTableError`` for an unknown table, ``IngestError``
    listing the first problems by file, row and column (nothing written), ``InputError`` when no file
    is given.
    """
    spec = table(table_name)
    opts = options or Options()
    if opts.timezone is not None:
        check_zone(opts.timezone)
    if spec.name in NOT_INGESTIBLE:
        raise InputError(f"Files cannot be loaded into '{spec.name}': it is written only by the app itself.")
    root = local_only(root, "Loading files")
    if root.exists() and not root.is_dir():
        raise InputError(f"The lakehouse path {root} is not a folder.")
    sources = [Source.of(f) for f in files]
    if not sources:
        raise InputError("No file given: pass one or more .csv or .parquet files.")
    limit = int(max_bytes if max_bytes is not None else DEFAULT_MAX_BYTES)
    names = tuple(s.name for s in sources)
    if dry_run:
        data, models, notes = _read_and_validate(root, spec, sources, limit, allow_extra, actor, opts)
        return IngestReport(spec.name, names, data.num_rows, (), notices=tuple(notes),
                            registered_models=tuple(models["model_id"].to_pylist()) if models is not None else ())
    with _exclusive(root):  # one ingest at a time decides keys and publishes
        recovered = tuple(recover(root))
        if any(r.finished for r in recovered):  # these very files, published whole by the killed run?
            with contextlib.suppress(OSError):  # an unreadable file is reported by the validation below
                same = [r for r in recovered if r.finished and r.fingerprint == _fingerprint(spec.name, sources)]
                if same:
                    return IngestReport(spec.name, names, same[0].rows, (), recovered, already_loaded=True)
        data, models, notes = _read_and_validate(root, spec, sources, limit, allow_extra, actor, opts)
        fingerprint = _fingerprint(spec.name, sources)
        written_models: list[Path] = []
        if models is not None:  # audited only once the rows are in (a crash between: recover finishes it)
            mmeta = {"table": MODELS.name, "sources": list(names), "rows": models.num_rows,
                     "fingerprint": None, "actor": actor, "role": role, "page": page}
            mstaging, written_models = publish(root, MODELS.name, models, mmeta)
        meta = {"table": spec.name, "sources": list(names), "rows": data.num_rows, "fingerprint": fingerprint,
                "actor": actor, "role": role, "page": page}
        try:
            staging, written = publish(root, spec.name, data, meta)
        except BaseException:
            for p in written_models:  # the registration belongs to this batch: not without its rows
                with contextlib.suppress(OSError):
                    p.unlink()
            if written_models:
                _tidy(root, mstaging)
                with contextlib.suppress(OSError):
                    (root / MODELS.name).rmdir()  # only when the registration made it (and it is empty)
            raise
        if written_models:
            _audit(root, mstaging, mmeta, note=" (registered from the file)")
            _tidy(root, mstaging)
        _audit(root, staging, meta)
        _tidy(root, staging)
    return IngestReport(spec.name, names, data.num_rows, tuple(written_models) + tuple(written), recovered,
                        notices=tuple(notes),
                        registered_models=tuple(models["model_id"].to_pylist()) if models is not None else ())


def _shaped(spec: Table, sources: list[Source], limit: int, opts: Options
            ) -> tuple[list[tuple[str, pl.DataFrame]], list[Problem], list[str]]:
    frames, problems, notes = [], [], []
    for src in sources:
        frame, found = read_source(src, limit, notes)
        if frame is not None:
            frame, found = shape(src.name, frame, spec, opts)
        problems += found
        if frame is not None:
            frames.append((src.name, frame))
    return frames, problems, notes


def preview(table_name: str, files: Sequence[Path | str | Source | tuple[str, bytes]], options: Options | None = None,
            *, n: int = 5, max_bytes: int | None = None) -> tuple[pl.DataFrame, list[str]]:
    """The first ``n`` rows of the first file as the table will receive them (mapped, constants
    set, a wide table turned long), before types are checked; and the reading notices."""
    spec = table(table_name)
    frames, problems, notes = _shaped(spec, [Source.of(f) for f in files][:1],
                                      int(max_bytes or DEFAULT_MAX_BYTES), options or Options())
    if problems:
        raise IngestError(spec.name, problems)
    return frames[0][1].drop("_row", strict=False).head(n), notes


def _read_and_validate(root: Path, spec: Table, sources: list[Source], limit: int, allow_extra: bool,
                       actor: str, opts: Options) -> tuple[pa.Table, pa.Table | None, list[str]]:
    frames, problems, notes = _shaped(spec, sources, limit, opts)
    if problems:
        raise IngestError(spec.name, problems)
    unknown, registered = _registrations(root, spec, frames, opts)
    models = None
    if registered is not None:
        models, found, n = validate(root, MODELS, [("(models registered from the files)", registered)])
        if models is None:
            raise IngestError(MODELS.name, found, n)
        r = registered.row(0, named=True)
        notes.append(f"registered {len(unknown)} new model(s) from the files: {', '.join(unknown)} "
                     f"(business unit '{r['business_unit']}', stage 'pilot', task '{r['task']}'"
                     f"{'' if opts.task else ', from the value range'}; edit them in the models table)")
    data, problems, n = validate(root, spec, frames, allow_extra=allow_extra, actor=actor, tz=opts.timezone,
                                 extra_models=registered)
    if data is None:
        raise IngestError(spec.name, problems, n, unknown_models=unknown if registered is None else ())
    if opts.timezone and any(pa.types.is_timestamp(f.type) for f in spec.schema):
        notes.append(zone_rule(opts.timezone))
    return data, models, notes


def _fingerprint(table_name: str, sources: list[Source]) -> str:
    h = hashlib.sha256(table_name.encode())
    for src in sources:
        h.update(b"\0" + src.name.encode() + b"\0")
        h.update(src.read())
    return h.hexdigest()


# ---------------------------------------------------------------- publishing, all or nothing

@contextlib.contextmanager
def _exclusive(root: Path, *, blocking: bool = True) -> Iterator[bool]:
    """Hold the lakehouse's ingest lock (a lock on the root folder itself, so nothing is created);
    yields False when ``blocking`` is off and another ingest holds it."""
    if not root.is_dir():  # a new lakehouse: nothing to recover or to clash with yet
        yield True
        return
    fd = os.open(root, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _write_json(path: Path, payload: dict) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}{storage.TMP_SUFFIX}")
    with open(tmp, "w") as fh:
        json.dump(payload, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    storage.fsync_dir(path.parent)


def publish(root: Path, name: str, data: pa.Table, meta: dict) -> tuple[Path, list[Path]]:
    """Publish ``data`` into table ``name`` as one batch; returns (its staging folder, the files).

    1. stage: the files are written under ``_staging/<batch>/``, named as one batch;
    2. prepare: ``batch.json`` lists where each goes (from here on a crash is recoverable);
    3. move: each file is renamed into its table folder. Readers list the batch's files only once
       all are in place, so the last rename is the commit.
    If a rename fails, the files already moved are removed again and the error is raised.
    """
    root.mkdir(parents=True, exist_ok=True)
    batch = uuid.uuid4().hex[:12]
    staging = root / STAGING / batch
    moved: list[Path] = []
    made_dirs: list[Path] = []
    try:
        staged = storage.append(staging, name, data, batch=batch)
        storage.checkpoint("staged")
        targets = [p.relative_to(staging) for p in staged]
        _write_json(staging / BATCH_FILE, {**meta, "batch": batch, "files": [str(t) for t in targets]})
        storage.checkpoint("prepared")
        for src, rel in zip(staged, targets, strict=True):
            dst = root / rel
            for d in reversed(dst.parents):
                if not d.exists() and root in d.parents:
                    d.mkdir()
                    made_dirs.append(d)
            os.replace(src, dst)
            moved.append(dst)
            storage.checkpoint(f"moved {len(moved)} of {len(targets)}")
        for d in sorted({p.parent for p in moved}):
            storage.fsync_dir(d)
        return staging, moved
    except BaseException:
        for p in moved:  # roll back: the batch is all or nothing
            with contextlib.suppress(OSError):
                p.unlink()
        for d in reversed(made_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()
        _tidy(root, staging)
        raise


def _audit(root: Path, staging: Path, meta: dict, *, note: str = "") -> None:
    audit.record(root, actor=meta.get("actor") or "unknown", role=meta.get("role"), action="ingest",
                 target=meta["table"], page=meta.get("page") or "cli",
                 detail=f"{meta['rows']} rows from {', '.join(meta.get('sources', []))}{note}")
    (staging / AUDITED).touch()
    storage.checkpoint("audited")


def _tidy(root: Path, staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
    with contextlib.suppress(OSError):
        (root / STAGING).rmdir()  # only when empty


def interrupted(root: Path | str) -> list[dict]:
    """Batches left in ``_staging`` by an ingest that did not finish, without changing anything:
    dicts with batch, table, sources, rows, files, present (files in place) and ``visible``."""
    if is_url(root):  # nothing is staged on object storage (ingest needs a local folder)
        return []
    root = Path(root)
    out = []
    folder = root / STAGING
    for staging in sorted(folder.iterdir()) if folder.is_dir() else []:
        meta = _read_meta(staging)
        files = meta.get("files", [])
        present = sum((root / f).exists() for f in files)
        out.append({**meta, "batch": staging.name, "present": present,
                    "visible": bool(files) and present == len(files)})
    return out


def _read_meta(staging: Path) -> dict:
    try:
        return json.loads((staging / BATCH_FILE).read_text())
    except (OSError, ValueError):  # not prepared yet (or torn): nothing of it was published
        return {}


def recover(root: Path | str) -> list[Recovery]:
    """Finish or roll back every batch an interrupted ingest left behind. Call it holding the
    ingest lock (``ingest`` does; ``repair`` takes it).

    A batch whose every file is in place was visible already: only its audit event (when missing)
    and the tidying are done. Any other batch was never visible: its files are removed.
    """
    root = Path(root)
    done = []
    for b in interrupted(root):
        staging = root / STAGING / b["batch"]
        if b["visible"]:
            if not (staging / AUDITED).exists():
                _audit(root, staging, b, note=" (finished after an interruption)")
        else:
            for f in b.get("files", []):
                (root / f).unlink(missing_ok=True)
        _tidy(root, staging)
        done.append(Recovery(b["batch"], b.get("table", "?"), tuple(b.get("sources", ())), int(b.get("rows", 0)),
                             b["visible"], b.get("fingerprint")))
    return done


def repair(root: Path | str) -> list[Recovery] | None:
    """``recover`` under the ingest lock; None when an ingest is running right now."""
    if is_url(root):
        return []
    root = Path(root)
    if not (root / STAGING).is_dir():
        return []
    with _exclusive(root, blocking=False) as got:
        return recover(root) if got else None


# ---------------------------------------------------------------- a folder of files

# Tables others refer to come first: models before anything naming a model_id, predictions before
# the outcomes and features of their requests. Any other table follows in name order.
LOAD_ORDER = ("models", "model_versions", "registry_events", "deployments", "eligible_users",
              "predictions", "outcomes", "features")
MANIFEST = "manifest.yaml"


@dataclass(frozen=True)
class Planned:
    """One table's part of a folder load: its files and the options from the manifest."""

    table: str
    files: tuple[Path, ...]
    options: dict = field(default_factory=dict)  # manifest keys: map, set, timezone, wide, register_models


def table_of_file(name: str) -> str | None:
    """The table a file is for by its name (``<table>*.csv|parquet``; the longest table name wins)."""
    stem = name.lower().rsplit(".", 1)[0]
    hits = [t for t in ingestible_tables() if stem.startswith(t)]
    return max(hits, key=len) if hits else None


def plan_folder(folder: Path | str) -> list[Planned]:
    """The files of ``folder`` grouped by table in dependency order (``LOAD_ORDER``), from its
    ``manifest.yaml`` (``tables: [{table, files, map, set, timezone, wide, register_models}]``) or
    else by file name. Raises ``InputError`` naming files whose table cannot be told."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder.")
    plans: dict[str, Planned] = {}
    if (folder / MANIFEST).is_file():
        import yaml  # only when a manifest is used

        try:
            doc = yaml.safe_load((folder / MANIFEST).read_text()) or {}
        except yaml.YAMLError as exc:
            raise InputError(f"{folder / MANIFEST} is not valid YAML: {exc}") from None
        for i, entry in enumerate(doc.get("tables") or [], start=1):
            if not isinstance(entry, dict) or "table" not in entry or not entry.get("files"):
                raise InputError(f"{MANIFEST}: entry {i} needs a table and its files.")
            table(entry["table"])  # UnknownTableError names the known ones
            files = tuple(folder / str(f) for f in entry["files"])
            for f in files:
                if not f.is_file():
                    raise InputError(f"{MANIFEST}: entry {i} names {f.name}, which is not in {folder}.")
            opts = {k: v for k, v in entry.items() if k not in ("table", "files")}
            plans[entry["table"]] = Planned(entry["table"], files, opts)
    else:
        grouped: dict[str, list[Path]] = {}
        unknown = []
        for f in sorted(folder.iterdir()):
            if f.is_file() and f.suffix.lower() in (".csv", ".parquet") and not f.name.startswith("."):
                t = table_of_file(f.name)
                (grouped.setdefault(t, []) if t else unknown).append(f)
        if unknown:
            raise InputError(f"Cannot tell the table of {', '.join(f.name for f in unknown)}: name each file "
                             f"<table>*.csv or <table>*.parquet, or list them in {MANIFEST}.")
        plans = {t: Planned(t, tuple(fs)) for t, fs in grouped.items()}
    if not plans:
        raise InputError(f"No .csv or .parquet files in {folder}.")
    rank = {t: i for i, t in enumerate(LOAD_ORDER)}
    return sorted(plans.values(), key=lambda p: (rank.get(p.table, len(rank)), p.table))
