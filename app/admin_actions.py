"""Server-side admin writes: user management and uploads. Each checks the role, then writes, then
records the audit event. Pages only map widget values to these calls."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from analytics.errors import InputError
from analytics.governance import users
from analytics.lakehouse import ingest
from app import auth, data


def users_frame() -> pl.DataFrame:
    auth.require("users.manage")
    rows = [{"name": u.name, "role": u.role, "business_units": ", ".join(u.business_units),
             "created_at": u.created_at} for u in users.list_users(data.settings().users_file)]
    df = pl.DataFrame(rows, schema={"name": pl.String, "role": pl.String, "business_units": pl.String,
                                    "created_at": pl.String})
    # a time, not ISO text, so the table shows it like every other time ("26 Nov 2026, 16:56")
    return df.with_columns(pl.col("created_at").str.to_datetime(time_zone="UTC", strict=False))


def add_user(name: str, role: str, password: str, business_units: Sequence[str] = ()) -> None:
    auth.require("users.manage")
    u = users.add_user(data.settings().users_file, name.strip(), role, password,
                       business_units=tuple(business_units))
    auth.audit("users.add", target=u.name, detail=f"role={u.role}")


def remove_user(name: str) -> None:
    me = auth.require("users.manage")
    if name == me["name"]:
        raise InputError("You cannot remove yourself; ask another administrator.")
    users.remove_user(data.settings().users_file, name)
    auth.audit("users.remove", target=name)


def upload(table_name: str, files: Sequence, *, dry_run: bool = False) -> ingest.IngestReport:
    """Validate uploaded files (Streamlit ``UploadedFile`` objects) and load them all or nothing."""
    me = auth.require("ingest.upload")
    if not files:
        raise InputError("Choose at least one .csv or .parquet file first.")
    max_bytes = int(data.settings().max_upload_mb * 1024 * 1024)
    sources = [ingest.Source(name=f.name, data=f.getvalue()) for f in files]
    return ingest.ingest(data.root(), table_name, sources, actor=me["name"], role=me["role"],
                         page="ingest", max_bytes=max_bytes, dry_run=dry_run)
