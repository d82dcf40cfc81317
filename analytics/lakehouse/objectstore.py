"""The lakehouse on object storage: one place that turns a root into a filesystem, a small path type
for object keys, and a lease lock that holds on S3.

A root is a local folder (``/data/lake``, ``file:///data/lake``: a ``pathlib.Path``, the fast path,
unchanged) or any fsspec URL (``s3://bucket/prefix``, ``gs://…``, ``memory://…``): an ``ObjectPath``
with the few ``pathlib`` methods the lakehouse uses. Credentials and endpoints come from the standard
environment and files of the store (for S3: ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``,
``AWS_PROFILE``, ``~/.aws/credentials``, ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL`` for an
S3-compatible server); nothing is stored in the lakehouse.

Writes are puts of whole objects under new unique keys: a put is atomic on S3 (readers see the whole
object or none), and an overwrite (a manifest) replaces the object whole. Nothing is renamed.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from analytics.errors import LakehouseError

LEASE_SECONDS = float(os.environ.get("SCALEBOARD_LEASE_SECONDS", "30"))
"""How long a lock's lease lasts without renewal: a killed holder's lock is free after this."""


def is_url(root: object) -> bool:
    """Whether ``root`` names an object store (an fsspec URL other than ``file://``)."""
    if isinstance(root, ObjectPath):
        return True
    s = str(root)
    return "://" in s and not s.startswith("file://")


def locate(root: object) -> Path | ObjectPath:
    """The lakehouse root as a path: ``pathlib.Path`` for a local folder, ``ObjectPath`` for a URL."""
    if isinstance(root, ObjectPath | Path):
        return root
    s = str(root)
    if s.startswith("file://"):
        return Path(s[len("file://"):])
    if "://" not in s:
        return Path(s)
    from fsspec.core import url_to_fs

    try:
        # no listings cache: another process's writes must show at the next listing
        fs, path = url_to_fs(s, use_listings_cache=False)
    except (ImportError, ValueError) as exc:
        raise LakehouseError(f"The lakehouse URL {s} cannot be opened ({exc}).",
                             hint="Use a local folder or an s3:// URL (s3fs is installed).") from exc
    return ObjectPath(fs, path)


def local_only(root: object, what: str) -> Path:
    """``root`` as a local folder, or ``LakehouseError`` for an object-store URL (for the writers
    that stage and rename, not yet ported to object storage: docs/lakehouse.md)."""
    if is_url(root):
        raise LakehouseError(f"{what} needs the lakehouse in a local folder; {root} is on object storage.",
                             hint="Load into a local copy, or use `scaleboard demo`/the write API on S3 "
                                  "(docs/lakehouse.md, On object storage).")
    return Path(str(root))


@dataclass(frozen=True)
class Stat:
    st_size: int
    st_mtime_ns: int


class ObjectPath:
    """A key (or prefix) in an object store, with the ``pathlib`` methods the lakehouse needs.

    ``str()`` gives the URL (``s3://bucket/key``), which DuckDB reads through the filesystem
    registered on its connection (``register``)."""

    def __init__(self, fs, path: str, info: dict | None = None) -> None:
        self.fs = fs
        self.path = path.rstrip("/")
        self.info = info  # from the listing that found it: stat() needs no request

    @property
    def reader(self):
        """The filesystem for reading data files: object info (size, time) cached, since a part is
        never rewritten (DuckDB asks for it many times per file: one HEAD each without the cache)."""
        return immutable_reader(self.fs)

    # -- naming
    @property
    def protocol(self) -> str:
        p = self.fs.protocol
        return p[0] if isinstance(p, tuple | list) else p

    def __str__(self) -> str:
        return f"{self.protocol}://{self.path}"

    def __repr__(self) -> str:
        return f"ObjectPath({str(self)!r})"

    def __truediv__(self, other: object) -> ObjectPath:
        return ObjectPath(self.fs, f"{self.path}/{str(other).strip('/')}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ObjectPath) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __lt__(self, other: ObjectPath) -> bool:
        return str(self) < str(other)

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.path).suffix

    @property
    def stem(self) -> str:
        return PurePosixPath(self.path).stem

    @property
    def parent(self) -> ObjectPath:
        return ObjectPath(self.fs, str(PurePosixPath(self.path).parent))

    def with_name(self, name: str) -> ObjectPath:
        return self.parent / name

    def relative_to(self, other: ObjectPath) -> PurePosixPath:
        return PurePosixPath(self.path).relative_to(other.path)

    # -- reading
    def exists(self) -> bool:
        return bool(self.fs.exists(self.path))

    def is_dir(self) -> bool:
        """True when any object lives under this prefix (an object store has no empty folders)."""
        return bool(self.fs.isdir(self.path))

    def is_file(self) -> bool:
        return bool(self.fs.isfile(self.path))

    def stat(self) -> Stat:
        info = self.info or self.fs.info(self.path)
        if info.get("type") != "file":
            raise FileNotFoundError(str(self))
        return Stat(int(info["size"]), mtime_ns(info))

    def read_bytes(self) -> bytes:
        return self.fs.cat_file(self.path)

    def read_text(self) -> str:
        return self.read_bytes().decode()

    def iterdir(self) -> Iterator[ObjectPath]:
        try:
            names = self.fs.ls(self.path, detail=False)
        except FileNotFoundError:
            return iter(())
        return (ObjectPath(self.fs, n) for n in sorted(names))

    def glob(self, pattern: str) -> Iterator[ObjectPath]:
        return (ObjectPath(self.fs, k) for k in sorted(self.fs.glob(f"{self.path}/{pattern}")))

    def find(self) -> dict[str, dict]:
        """Every object under this prefix: {key: info} (one paged listing)."""
        try:
            return self.fs.find(self.path, detail=True)
        except FileNotFoundError:
            return {}

    # -- writing (whole-object puts: atomic)
    def write_bytes(self, data: bytes) -> None:
        self.fs.pipe_file(self.path, data)

    def write_text(self, text: str) -> None:
        self.write_bytes(text.encode())

    def unlink(self, missing_ok: bool = False) -> None:
        try:
            self.fs.rm_file(self.path)
        except FileNotFoundError:
            if not missing_ok:
                raise

    def mkdir(self, parents: bool = False, exist_ok: bool = False) -> None:
        """Nothing to do: a prefix exists as soon as an object is put under it."""


def mtime_ns(info: dict) -> int:
    """Modification time of an object from its listing info (S3: LastModified), in ns."""
    lm = info.get("LastModified") or info.get("mtime") or info.get("created") or 0
    if hasattr(lm, "timestamp"):
        return int(lm.timestamp() * 1e9)
    return int(float(lm) * 1e9)


def register(con, root: object) -> None:
    """Make DuckDB connection ``con`` read ``root``'s URLs through its fsspec filesystem (no DuckDB
    extension is needed, so it works offline); a no-op for a local root or when already registered."""
    if not isinstance(root, ObjectPath):
        return
    protocols = root.fs.protocol if isinstance(root.fs.protocol, tuple | list) else (root.fs.protocol,)
    if set(protocols) & set(con.list_filesystems()):
        return
    con.register_filesystem(root.reader)


_READERS: dict[int, object] = {}
_READERS_LOCK = threading.Lock()


def immutable_reader(fs):
    """``fs`` with ``info`` memoised (bounded): for reading parts, which are never rewritten."""
    with _READERS_LOCK:
        got = _READERS.get(id(fs))
        if got is None:
            base = type(fs)
            cls = type(f"Immutable{base.__name__}", (_MemoInfo, base), {})
            got = cls(**fs.storage_options, skip_instance_cache=True)
            _READERS[id(fs)] = got
        return got


class _MemoInfo:
    """Mixin: memoise ``info`` (sync and async) per path; a missing object is not memoised."""

    _memo: dict

    def _memo_get(self, path: str):
        memo = self.__dict__.setdefault("_memo", {})
        return memo, memo.get(self._strip_protocol(path))

    async def _info(self, path, *args, **kwargs):
        memo, hit = self._memo_get(path)
        if hit is None:
            hit = await super()._info(path, *args, **kwargs)  # type: ignore[misc]
            if len(memo) > 200_000:
                memo.clear()
            memo[self._strip_protocol(path)] = hit
        return dict(hit)


def upload_tree(local: Path, remote: ObjectPath, *, replace: bool = False) -> int:
    """Put every file under the local folder ``local`` to the prefix ``remote`` (each one put,
    atomic per object; table files first, rollups and their manifests last, so a reader never sees a
    manifest before its parts). With ``replace`` the prefix is emptied first. Returns the file count."""
    if replace and remote.is_dir():
        remote.fs.rm(remote.path, recursive=True)
    files = sorted((p for p in Path(local).rglob("*") if p.is_file()),
                   key=lambda p: (p.relative_to(local).parts[0].startswith("_"), p.name == "_manifest.json", str(p)))
    for p in files:
        remote.fs.put_file(str(p), f"{remote.path}/{p.relative_to(local).as_posix()}")
    return len(files)


# ---------------------------------------------------------------- the lease lock

class LeaseLost(LakehouseError):
    pass


def _s3_key(p: ObjectPath) -> tuple[str, str]:
    bucket, _, key = p.path.partition("/")
    return bucket, key


def _precondition_failed(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc} {getattr(exc, '__cause__', '')}"
    return any(s in text for s in ("PreconditionFailed", "ConditionalRequestConflict", "412", "409"))


class Lease:
    """An exclusive lock on object storage: a lease object created with a conditional put.

    Acquire: put ``<key>`` with ``If-None-Match: *`` (only one writer can create it); the body names
    the owner (a random token) and the expiry. While held, a thread renews it every third of the
    lease with ``If-Match: <etag>`` (so a holder that lost it finds out). Release: delete with
    ``If-Match``. A holder killed with SIGKILL stops renewing; once its lease has expired the next
    writer deletes it (``If-Match`` its etag, so two breakers cannot both win) and creates its own.
    Clocks of the writers must agree to well within the lease (NTP).
    """

    def __init__(self, obj: ObjectPath, seconds: float | None = None) -> None:
        if "s3" not in (obj.fs.protocol if isinstance(obj.fs.protocol, tuple | list) else (obj.fs.protocol,)):
            raise LakehouseError(
                f"Writes that need a lock are supported on local folders and S3-compatible stores, not {obj}.",
                hint="Use an s3:// URL (any S3-compatible server with conditional writes) or a local folder.")
        self.obj = obj
        self.seconds = LEASE_SECONDS if seconds is None else seconds
        self.token = uuid.uuid4().hex
        self.etag: str | None = None
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _body(self) -> bytes:
        return json.dumps({"owner": self.token, "expires": time.time() + self.seconds,
                           "pid": os.getpid()}).encode()

    def _put(self, **cond: str) -> str:
        bucket, key = _s3_key(self.obj)
        out = self.obj.fs.call_s3("put_object", Bucket=bucket, Key=key, Body=self._body(), **cond)
        return out["ETag"]

    def try_acquire(self) -> bool:
        try:
            self.etag = self._put(IfNoneMatch="*")
        except Exception as exc:
            if not _precondition_failed(exc):
                raise
            self._break_if_expired()
            return False
        self._stop.clear()
        self._thread = threading.Thread(target=self._renew, daemon=True, name=f"lease {self.obj}")
        self._thread.start()
        return True

    def _break_if_expired(self) -> None:
        bucket, key = _s3_key(self.obj)
        try:
            head = self.obj.fs.call_s3("get_object", Bucket=bucket, Key=key)
            body = json.loads(_read_body(self.obj.fs, head))
        except Exception:  # gone meanwhile, or unreadable: the next attempt decides
            return
        if body.get("expires", 0) > time.time():
            return
        with contextlib.suppress(Exception):  # another breaker won, or the holder renewed: fine
            self.obj.fs.call_s3("delete_object", Bucket=bucket, Key=key, IfMatch=head["ETag"])

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        wait = 0.05
        while not self.try_acquire():
            if not blocking or (deadline is not None and time.monotonic() >= deadline):
                return False
            time.sleep(wait)
            wait = min(wait * 1.5, 1.0)
        return True

    def _renew(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                self.etag = self._put(IfMatch=self.etag or "")
            except Exception:  # someone broke it (we were too slow): stop claiming it
                self.lost = True
                return

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.lost or self.etag is None:
            return
        bucket, key = _s3_key(self.obj)
        with contextlib.suppress(Exception):  # expired and taken by another: theirs now
            self.obj.fs.call_s3("delete_object", Bucket=bucket, Key=key, IfMatch=self.etag)
        self.etag = None


def _read_body(fs, response: dict) -> bytes:
    from fsspec.asyn import sync

    async def read() -> bytes:
        async with response["Body"] as stream:
            return await stream.read()

    return sync(fs.loop, read)


@contextlib.contextmanager
def leased(obj: ObjectPath, *, blocking: bool = True) -> Iterator[bool]:
    """Hold the lease ``obj`` for the block; yields False (nothing held) when ``blocking`` is False
    and another writer holds it."""
    lease = Lease(obj)
    got = lease.acquire(blocking=blocking)
    try:
        yield got
    finally:
        if got:
            lease.release()
    if lease.lost:  # after a clean exit only: never hide the block's own error
        raise LeaseLost(f"The lock {obj} expired while held (the writer stalled longer than "
                        f"{lease.seconds:.0f} s); another writer may have written meanwhile.",
                        hint="Raise SCALEBOARD_LEASE_SECONDS on slow storage.")
