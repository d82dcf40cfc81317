"""The Scope every analytics call receives: the window, the previous window, the sidebar's filters
and the signed-in user's data scope, in one frozen object.

* **Window.** ``start``..``end`` (both inclusive). Presets are whole calendar months or quarters
  (``period_range``). The previous window is the same number of whole months just before when the
  window is whole months, else the same number of days.
* **One inclusion rule.** A period bucket (ledger month, usage week, performance week) belongs to
  the window when its *first day* is in the window; counts of people ("used in the window") are by
  the *date* of each event, exactly.
* **Data scope.** ``allowed_units`` are the business units the user may see (``None`` =
  unrestricted). The units a query uses (``units``) are the filter intersected with that scope; a
  filter asking for more yields the user's own units and a ``notice``, never another unit's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import date, timedelta

import duckdb
import polars as pl

from analytics import sql

PERIODS = ("Last 12 months", "This quarter", "Last quarter", "Year to date", "Custom")
DEFAULT_PERIOD = PERIODS[0]
INCLUSION_RULE = ("A ledger month, usage week or performance week counts in the window when its first "
                  "day is in the window; people who used a model are counted by the date of their use.")


# ---------------------------------------------------------------- calendar arithmetic

def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    """The first day of the month ``n`` months after ``d``'s month."""
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def month_end(d: date) -> date:
    return add_months(d, 1) - timedelta(days=1)


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def whole_months(start: date, end: date) -> int | None:
    """How many whole calendar months ``start``..``end`` spans, or None when it is not whole months."""
    if start.day != 1 or end != month_end(end) or end < start:
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def previous_window(start: date, end: date) -> tuple[date, date]:
    """The window just before: as many whole months when ``start..end`` is whole months (the 12
    months before "Last 12 months"), else as many days."""
    n = whole_months(start, end)
    if n is not None:
        return add_months(start, -n), start - timedelta(days=1)
    prev_end = start - timedelta(days=1)
    return prev_end - (end - start), prev_end


def period_range(period: str, last: date, first: date) -> tuple[date, date]:
    """The window a preset means when the data spans ``first``..``last``: whole calendar months or
    quarters, the last of them holding ``last``. "Last quarter" is the whole quarter before. The
    start is clipped to the first month with data (still whole months); "Custom" and unknown names
    give the last 12 months."""
    if period == "This quarter":
        start = quarter_start(last)
        end = add_months(start, 3) - timedelta(days=1)
    elif period == "Last quarter":
        start = add_months(quarter_start(last), -3)
        end = quarter_start(last) - timedelta(days=1)
    elif period == "Year to date":
        start, end = date(last.year, 1, 1), month_end(last)
    else:
        start, end = add_months(last, -11), month_end(last)
    start = max(start, month_start(first))
    return start, max(start, end)


# ---------------------------------------------------------------- the scope

def _units(values) -> tuple[str, ...] | None:
    out = tuple(dict.fromkeys(str(v) for v in values)) if values else ()
    return out or None


@dataclass(frozen=True)
class Scope:
    start: date
    end: date
    business_units: tuple[str, ...] | None = None  # the filter as asked (None = all)
    countries: tuple[str, ...] | None = None
    allowed_units: tuple[str, ...] | None = None  # the user's data scope (None = unrestricted)

    def __post_init__(self) -> None:
        from analytics.errors import InputError

        if self.start > self.end:
            raise InputError(f"The start date {self.start} is after the end date {self.end}; "
                             "pick a start on or before the end.")
        for name in ("business_units", "countries", "allowed_units"):
            object.__setattr__(self, name, _units(getattr(self, name)))

    @property
    def units(self) -> tuple[str, ...] | None:
        """The business units every query uses: the filter within the data scope; the whole data
        scope when the filter asks only for units outside it."""
        if self.allowed_units is None:
            return self.business_units
        if self.business_units is None:
            return self.allowed_units
        inside = tuple(u for u in self.business_units if u in self.allowed_units)
        return inside or self.allowed_units

    @property
    def refused_units(self) -> tuple[str, ...]:
        """Units the filter asked for that the data scope does not allow."""
        if self.allowed_units is None or self.business_units is None:
            return ()
        return tuple(u for u in self.business_units if u not in self.allowed_units)

    @property
    def notice(self) -> str | None:
        refused = self.refused_units
        if not refused:
            return None
        return (f"Your account sees {', '.join(self.allowed_units or ())} only; "
                f"{', '.join(refused)} {'is' if len(refused) == 1 else 'are'} outside your data scope, "
                f"so the figures show {', '.join(self.units or ())}.")

    @property
    def narrowed(self) -> Scope:
        """This scope with its data scope narrowed to the effective units, for functions that do not
        filter by unit themselves: ``restrict`` then applies the business-unit filter too."""
        return replace(self, business_units=None, allowed_units=self.units)

    @property
    def previous(self) -> Scope:
        s, e = previous_window(self.start, self.end)
        return replace(self, start=s, end=e)

    def with_window(self, start: date, end: date) -> Scope:
        return replace(self, start=start, end=end)

    def params(self) -> dict:
        """Bound parameters for SQL: the window, the previous window and the effective filters."""
        ps, pe = previous_window(self.start, self.end)
        return {"start_date": self.start, "end_date": self.end, "prev_start_date": ps, "prev_end_date": pe,
                "business_units": list(self.units) if self.units else None,
                "countries": list(self.countries) if self.countries else None}

    def run(self, con: duckdb.DuckDBPyConnection, name: str, **extra) -> pl.DataFrame:
        """The named query with this scope's parameters (and ``extra`` ones) bound."""
        return sql.run(con, name, **{**self.params(), **extra})


def everything() -> Scope:
    """All data of every unit, any time: for the pipeline and the CLI, never for a signed-in user."""
    return Scope(date(1970, 1, 1), date(2999, 12, 31))


# ---------------------------------------------------------------- rows of other units never leave

def asset_units(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per asset kind, asset id and business unit it belongs to (``scope_assets.sql``)."""
    return sql.run(con, "scope_assets")


KEY_KINDS = (("model_id", "model"), ("dataset_id", "dataset"), ("experiment_id", "experiment"))


def restrict(con: duckdb.DuckDBPyConnection, frame, allowed: tuple[str, ...] | None):
    """``frame`` without rows of assets outside ``allowed`` units (a guard behind the scoped SQL):
    by ``business_unit`` when the frame has it, else by its model, dataset or experiment id, else by
    ``asset_kind``/``asset_id``. A frame with none of these keys is returned as is (totals). A
    frozen result object has each of its frames restricted the same way."""
    if allowed is None:
        return frame
    if is_dataclass(frame) and not isinstance(frame, type):
        changed = {f.name: restrict(con, getattr(frame, f.name), allowed) for f in fields(frame)
                   if isinstance(getattr(frame, f.name), pl.DataFrame)}
        return replace(frame, **changed) if changed else frame
    if not isinstance(frame, pl.DataFrame):
        return frame
    keep = list(allowed)
    if "business_unit" in frame.columns:
        return frame.filter(pl.col("business_unit").is_in(keep))
    assets = asset_units(con).filter(pl.col("business_unit").is_in(keep))
    for column, kind in KEY_KINDS:
        if column in frame.columns:
            ids = assets.filter(pl.col("asset_kind") == kind)["asset_id"].unique()
            return frame.filter(pl.col(column).is_in(ids.to_list()))
    if {"asset_kind", "asset_id"} <= set(frame.columns):
        pairs = assets.select("asset_kind", "asset_id").unique()
        return frame.join(pairs, on=["asset_kind", "asset_id"], how="semi")
    if {"kind", "id"} <= set(frame.columns):  # lineage nodes: only assets in scope
        visible = _lineage_visibility(con, allowed, frame["kind"], frame["id"])
        return frame.filter(pl.Series([visible(k, i) is True for k, i in zip(frame["kind"], frame["id"],
                                                                               strict=True)]))
    if {"src_kind", "src_id", "dst_kind", "dst_id"} <= set(frame.columns):  # lineage edges
        visible = _lineage_visibility(con, allowed, pl.concat([frame["src_kind"], frame["dst_kind"]]),
                                      pl.concat([frame["src_id"], frame["dst_id"]]))
        keep = []
        for sk, si, dk, di in frame.select("src_kind", "src_id", "dst_kind", "dst_id").iter_rows():
            a, b = visible(sk, si), visible(dk, di)
            keep.append(a is not False and b is not False and (a or b))
        return frame.filter(pl.Series(keep, dtype=pl.Boolean))
    return frame


def _lineage_visibility(con: duckdb.DuckDBPyConnection, allowed: tuple[str, ...], kinds, ids):
    """A function (kind, id) -> True (an asset in scope), False (an asset outside it) or None (not an
    asset: a source, feature or KPI node, visible only next to an asset in scope)."""
    units = asset_units(con)
    mine = {(k, i) for k, i, b in units.iter_rows() if b in allowed}
    models = units.filter(pl.col("asset_kind") == "model")
    model_unit = dict(zip(models["asset_id"], models["business_unit"], strict=True))

    def visible(kind: str, node: str) -> bool | None:
        if kind == "dataset":
            return ("dataset", node) in mine
        if kind in ("model_version", "deployment", "model"):
            owner = max((m for m in model_unit if node == m or node.startswith(m)), key=len, default=None)
            return owner is not None and model_unit[owner] in allowed
        return None

    return visible
