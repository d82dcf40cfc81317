"""One typed settings object, loaded in one documented order: defaults, then environment.

(The app adds ``.streamlit/secrets.toml`` on top through ``app.settings``.)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

from analytics.lakehouse.objectstore import is_url, locate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "SCALEBOARD_"


@dataclass(frozen=True)
class Settings:
    lakehouse: Path = PROJECT_ROOT / "data" / "lakehouse"
    """Root folder of the lakehouse, or an object-store URL such as s3://bucket/prefix (env
    SCALEBOARD_LAKEHOUSE; see docs/lakehouse.md, "On object storage")."""
    discount_rate: float = 0.08
    """Annual discount rate used for NPV (env SCALEBOARD_DISCOUNT_RATE)."""
    max_rows_shown: int = 5000
    """Cap on rows sent to the browser for one table (env SCALEBOARD_MAX_ROWS_SHOWN)."""
    users_file: Path = PROJECT_ROOT / ".streamlit" / "users.toml"
    """Local user file (argon2 hashes, roles) used when secrets.toml has no [auth] (env SCALEBOARD_USERS_FILE)."""
    max_upload_mb: float = 200.0
    """Largest file `scaleboard ingest` and the upload page accept, in MB (env SCALEBOARD_MAX_UPLOAD_MB)."""


def load_settings(env: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Defaults, then ``SCALEBOARD_*`` environment variables, then explicit overrides.

    An unknown override (a typo in code) fails fast with ``ValueError``. Unknown ``SCALEBOARD_*``
    environment variables are ignored, not refused: other parts read their own from the same prefix
    (``SCALEBOARD_SMTP_*`` for the digest, ``SCALEBOARD_TEST_*`` hooks, ``make``'s variables).
    """
    env = dict(os.environ if env is None else env)
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, object] = {}
    for key, raw in env.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX):].lower()
        if name not in known:
            continue  # other tools may use the prefix (e.g. SCALEBOARD_PORT for make); ignore
        values[name] = _coerce(known[name].type, raw)
    for name, value in overrides.items():
        if name not in known:
            raise ValueError(f"Unknown setting '{name}'. Known: {', '.join(known)}")
        values[name] = value
    if "lakehouse" in values:
        values["lakehouse"] = lakehouse_root(values["lakehouse"])
    if "users_file" in values:
        values["users_file"] = Path(str(values["users_file"])).expanduser().resolve()
    return Settings(**values)  # type: ignore[arg-type]


def lakehouse_root(value: object) -> Path:
    """A lakehouse root as given (env, ``--lakehouse``, ``--out``): a local folder, resolved, or an
    object-store URL (``s3://bucket/prefix``, any fsspec URL) as an ``objectstore.ObjectPath``."""
    if is_url(value):
        return locate(value)  # type: ignore[return-value]
    return Path(str(value)).expanduser().resolve()


def _coerce(type_name: object, raw: str) -> object:
    t = str(type_name)
    if "int" in t:
        return int(raw)
    if "float" in t:
        return float(raw)
    return raw
