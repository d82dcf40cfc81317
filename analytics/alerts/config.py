"""The alerting configuration: ``<lakehouse>/_config/alerting.yaml`` (see docs/alerts.md).

Channels are named; routes send an alert to the channels of every route whose ``match`` it meets
(business unit, model, kind, severity; a value or a list of values; an empty match takes everything).
Stewardship tasks go to the ``stewards`` channels. Secrets never live in the lakehouse: a secret field
holds a reference, ``env:NAME`` (an environment variable) or ``secret:NAME`` (a key of the
``[alerting]`` section of ``.streamlit/secrets.toml``), resolved when a notification is sent. A
malformed file raises ``InputError`` naming the field; a missing file means "deliver nothing".
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analytics.errors import InputError
from analytics.lakehouse.objectstore import locate
from analytics.lakehouse.storage import CONFIG
from analytics.settings import PROJECT_ROOT

FILE_NAME = "alerting.yaml"
KINDS = ("webhook", "slack", "email", "pagerduty", "opsgenie")
# per channel kind: required fields, optional fields, and the fields that must be secret references
FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "webhook": (("url", "secret"), ("headers",), ("secret",)),
    "slack": (("webhook_url",), (), ("webhook_url",)),
    "email": (("host", "from", "to"), ("port", "security", "username", "password"), ("password",)),
    "pagerduty": (("routing_key",), ("url", "source"), ("routing_key",)),
    "opsgenie": (("api_key",), ("url", "region", "responders", "tags"), ("api_key",)),
}
MATCH_KEYS = ("business_unit", "model_id", "kind", "severity")
SECURITY = ("starttls", "tls", "none")
DEFAULTS = {"retries": 3, "backoff_seconds": 1.0, "timeout_seconds": 10.0, "lookback_days": 7,
            "app_url": ""}


@dataclass(frozen=True)
class Channel:
    name: str
    kind: str
    options: dict[str, Any]


@dataclass(frozen=True)
class Route:
    match: dict[str, tuple[str, ...]]
    channels: tuple[str, ...]


@dataclass(frozen=True)
class AlertingConfig:
    channels: dict[str, Channel]
    routes: tuple[Route, ...] = ()
    steward_channels: tuple[str, ...] = ()
    steward_addresses: dict[str, str] = field(default_factory=dict)
    retries: int = 3  # attempts per notification in one run
    backoff_seconds: float = 1.0  # wait before the 2nd attempt; doubles for each further attempt
    timeout_seconds: float = 10.0
    lookback_days: int = 7  # events older than this are never sent (first run on an old lakehouse)
    app_url: str = ""  # e.g. https://scaleboard.example.com, for links back to the drift explorer


def path(root: Path | str) -> Path:
    return locate(root) / CONFIG / FILE_NAME


def _list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str | int | float):
        return (str(value),)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return tuple(str(v) for v in value)
    raise InputError(f"{FILE_NAME}: {where} must be a value or a list of values.")


def parse(doc: Any) -> AlertingConfig:
    """Validate a parsed YAML document; raises ``InputError`` naming the first problem."""
    if not isinstance(doc, dict):
        raise InputError(f"{FILE_NAME} must be a mapping with 'channels' and 'routes'.")
    unknown = set(doc) - {"defaults", "channels", "routes", "stewards"}
    if unknown:
        raise InputError(f"{FILE_NAME}: unknown section(s) {sorted(unknown)}; "
                         "expected defaults, channels, routes, stewards.")
    defaults = dict(DEFAULTS)
    for key, value in (doc.get("defaults") or {}).items():
        if key not in DEFAULTS:
            raise InputError(f"{FILE_NAME}: unknown default '{key}'; known: {', '.join(DEFAULTS)}.")
        defaults[key] = value
    try:
        retries, backoff = int(defaults["retries"]), float(defaults["backoff_seconds"])
        timeout, lookback = float(defaults["timeout_seconds"]), int(defaults["lookback_days"])
    except (TypeError, ValueError):
        raise InputError(f"{FILE_NAME}: defaults must be numbers.") from None
    if not 1 <= retries <= 10 or backoff < 0 or timeout <= 0 or lookback < 1:
        raise InputError(f"{FILE_NAME}: retries must be 1-10, backoff_seconds >= 0, timeout_seconds > 0, "
                         "lookback_days >= 1.")
    channels = {}
    for name, spec in (doc.get("channels") or {}).items():
        channels[str(name)] = _channel(str(name), spec)
    routes = []
    for i, r in enumerate(doc.get("routes") or [], 1):
        if not isinstance(r, dict) or set(r) - {"match", "channels"} or "channels" not in r:
            raise InputError(f"{FILE_NAME}: route {i} must have 'channels' and an optional 'match'.")
        match = r.get("match") or {}
        bad = set(match) - set(MATCH_KEYS)
        if bad:
            raise InputError(f"{FILE_NAME}: route {i} matches on unknown key(s) {sorted(bad)}; "
                             f"known: {', '.join(MATCH_KEYS)}.")
        routes.append(Route({k: _list(v, f"route {i} match.{k}") for k, v in match.items()},
                            _known(_list(r["channels"], f"route {i} channels"), channels, f"route {i}")))
    stewards = doc.get("stewards") or {}
    if set(stewards) - {"channels", "addresses"}:
        raise InputError(f"{FILE_NAME}: 'stewards' takes 'channels' and 'addresses'.")
    addresses = stewards.get("addresses") or {}
    if not isinstance(addresses, dict):
        raise InputError(f"{FILE_NAME}: stewards.addresses must map a steward's name to an e-mail address.")
    return AlertingConfig(
        channels=channels, routes=tuple(routes),
        steward_channels=_known(_list(stewards.get("channels") or [], "stewards.channels"), channels, "stewards"),
        steward_addresses={str(k): str(v) for k, v in addresses.items()},
        retries=retries, backoff_seconds=backoff, timeout_seconds=timeout, lookback_days=lookback,
        app_url=str(defaults["app_url"] or "").rstrip("/"))


def _known(names: tuple[str, ...], channels: dict, where: str) -> tuple[str, ...]:
    for n in names:
        if n not in channels:
            raise InputError(f"{FILE_NAME}: {where} names channel '{n}', which is not declared under "
                             "'channels'.")
    return names


def _channel(name: str, spec: Any) -> Channel:
    if not isinstance(spec, dict) or spec.get("kind") not in KINDS:
        raise InputError(f"{FILE_NAME}: channel '{name}' needs a kind, one of {', '.join(KINDS)}.")
    kind = spec["kind"]
    required, optional, secret = FIELDS[kind]
    opts = {k: v for k, v in spec.items() if k != "kind"}
    unknown = set(opts) - set(required) - set(optional)
    if unknown:
        raise InputError(f"{FILE_NAME}: channel '{name}' ({kind}) has unknown field(s) {sorted(unknown)}; "
                         f"known: {', '.join(required + optional)}.")
    missing = [k for k in required if opts.get(k) in (None, "", [])]
    if missing:
        raise InputError(f"{FILE_NAME}: channel '{name}' ({kind}) is missing {', '.join(missing)}.")
    for k in secret:
        if k in opts and not is_reference(opts[k]):
            raise InputError(f"{FILE_NAME}: channel '{name}' field '{k}' is a secret: write env:NAME or "
                             "secret:NAME and keep the value in the environment or .streamlit/secrets.toml, "
                             "never in the lakehouse.")
    if kind == "email":
        opts["to"] = _list(opts["to"], f"channel '{name}' to")
        if opts.setdefault("security", "starttls") not in SECURITY:
            raise InputError(f"{FILE_NAME}: channel '{name}' security must be one of {', '.join(SECURITY)}.")
    if kind == "opsgenie" and opts.setdefault("region", "us") not in ("us", "eu"):
        raise InputError(f"{FILE_NAME}: channel '{name}' region must be us or eu.")
    return Channel(name, kind, opts)


def load(root: Path | str) -> AlertingConfig | None:
    """The configuration of the lakehouse at ``root``, or ``None`` when it has no alerting file."""
    p = path(root)
    if not p.is_file():
        return None
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{p}: not valid YAML ({exc}).") from None
    return parse(doc)


# ---------------------------------------------------------------- secrets

def is_reference(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith("env:") or value.startswith("secret:"))


def secrets_file() -> Path:
    return Path(os.environ.get("SCALEBOARD_SECRETS_FILE") or PROJECT_ROOT / ".streamlit" / "secrets.toml")


def resolve(value: Any) -> Any:
    """The value behind an ``env:NAME`` / ``secret:NAME`` reference (other values unchanged).
    Raises ``InputError`` naming the reference (never the value) when it is not set."""
    if not is_reference(value):
        return value
    source, _, name = value.partition(":")
    if source == "env":
        found = os.environ.get(name)
    else:
        try:
            doc = tomllib.loads(secrets_file().read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            doc = {}
        found = (doc.get("alerting") or {}).get(name)
    if found in (None, ""):
        where = "environment variable" if source == "env" else f"[alerting] key in {secrets_file()}"
        raise InputError(f"The secret {value} is not set (no {where} called {name}).")
    return str(found)


def channel_status(root: Path | str) -> list[dict]:
    """One row per configured channel: name, kind, and what is wrong with it ('' when ready): a secret
    reference that is not set, named without its value. Raises ``InputError`` for a malformed file."""
    cfg = load(root)
    out = []
    for ch in (cfg.channels.values() if cfg else ()):
        problems = []
        for key, value in ch.options.items():
            try:
                resolve(value)
            except InputError as exc:
                problems.append(f"{key}: {exc}")
        out.append({"channel": ch.name, "kind": ch.kind, "problem": "; ".join(problems)})
    return out
