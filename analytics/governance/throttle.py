"""Sign-in throttling: bounded memory, no account lockout.

Every sign-in attempt first asks ``SignInGuard.admit(client, name)``; the answer is refused (with the
seconds to wait) or admitted. Admission *counts the attempt at once* (under one lock), so a burst of
concurrent attempts cannot slip past the limit before the first failure is recorded.

* **Global** token bucket: caps the argon2 work the server does for everybody (a CPU guard: the
  sustained rate bounds the CPU an unauthenticated flood can take, the burst lets a crowd of real
  users arriving together through; sizes and reasons in docs/security.md).
* **Checks at once**: ``checking()`` lets at most ``max_checks`` password checks run at the same time
  (an argon2id check holds 64 MiB while it runs); admitted attempts beyond that wait their turn
  instead of being refused, so a burst costs time, not memory.
* **Per client** token bucket (client = IP address as the server sees it).
* **Per (client, name)**: after ``free_attempts`` attempts without a success, each further attempt
  waits ``base_delay * 2**k`` seconds (capped at ``max_delay``). A success resets it.

There is no lock on a *name*: guesses from one client slow down only that client, so an attacker
cannot lock the administrator out by guessing. Every table is an LRU of at most ``max_entries``
entries and keys are short (names longer than ``MAX_NAME`` are cut before anything is stored), so
memory stays bounded whatever is sent. State is per server process.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass

MAX_NAME = 64  # longest possible user name (users.NAME_RE); longer input is never stored whole
MAX_CLIENT = 64  # an IPv6 address with zone fits


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class _Pair:
    attempts: int  # since the last success
    last: float


class _Lru(OrderedDict):
    """An OrderedDict that forgets its least recently used entry beyond ``cap`` entries."""

    def __init__(self, cap: int):
        super().__init__()
        self.cap = cap

    def put(self, key, value) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.cap:
            self.popitem(last=False)


def _take(bucket: _Bucket, rate: float, burst: float, now: float) -> float:
    """Refill, then take one token; returns 0 if taken, else the seconds until one is available."""
    bucket.tokens = min(burst, bucket.tokens + max(0.0, now - bucket.stamp) * rate)
    bucket.stamp = now
    if bucket.tokens >= 1:
        bucket.tokens -= 1
        return 0.0
    return (1 - bucket.tokens) / rate


class SignInGuard:
    def __init__(self, *, global_rate: float = 3.0, global_burst: float = 60, client_rate: float = 10 / 60,
                 client_burst: float = 10, free_attempts: int = 3, base_delay: float = 1.0,
                 max_delay: float = 15 * 60, max_entries: int = 4096, max_checks: int = 2):
        self.global_rate, self.global_burst = global_rate, global_burst
        self.max_checks = max_checks
        self._checks = threading.BoundedSemaphore(max_checks)
        self.client_rate, self.client_burst = client_rate, client_burst
        self.free_attempts, self.base_delay, self.max_delay = free_attempts, base_delay, max_delay
        self._lock = threading.Lock()
        self._global = _Bucket(global_burst, time.monotonic())
        self._clients = _Lru(max_entries)
        self._pairs = _Lru(max_entries)

    @staticmethod
    def key(client: object, name: object) -> tuple[str, str]:
        """The bounded keys kept for a client and a typed name (cut, never stored whole)."""
        c = str(client or "unknown")[:MAX_CLIENT]
        n = (name if isinstance(name, str) else "")[:MAX_NAME + 1].strip().casefold()
        return c, n[:MAX_NAME]

    def _pair_wait(self, pair: _Pair | None, now: float) -> float:
        if pair is None or pair.attempts < self.free_attempts:
            return 0.0
        delay = min(self.max_delay, self.base_delay * 2 ** min(pair.attempts - self.free_attempts, 40))
        return max(0.0, pair.last + delay - now)

    def admit(self, client: object, name: object, now: float | None = None) -> float:
        """0 if this attempt may check a password (and it is counted now), else seconds to wait."""
        now = time.monotonic() if now is None else now
        c, n = self.key(client, name)
        with self._lock:
            pair = self._pairs.get((c, n))
            if wait := self._pair_wait(pair, now):
                return wait
            bucket = self._clients.get(c) or _Bucket(self.client_burst, now)
            self._clients.put(c, bucket)
            if wait := _take(bucket, self.client_rate, self.client_burst, now):
                return wait
            if wait := _take(self._global, self.global_rate, self.global_burst, now):
                bucket.tokens += 1  # not this client's fault: give its token back
                return wait
            self._pairs.put((c, n), _Pair((pair.attempts if pair else 0) + 1, now))
            return 0.0

    @contextmanager
    def checking(self):
        """Around one admitted password check: waits while ``max_checks`` others run. The queue is
        bounded by the admission budget (at most ``global_burst`` plus the refill can be waiting)."""
        with self._checks:
            yield

    def attempts(self, client: object, name: object) -> int:
        """Attempts without success for this client and name (0 if unknown or forgotten)."""
        with self._lock:
            pair = self._pairs.get(self.key(client, name))
            return pair.attempts if pair else 0

    def succeeded(self, client: object, name: object) -> None:
        """A right password: the pair starts afresh and the client gets its token back (many
        people behind one address signing in is not an attack)."""
        c, n = self.key(client, name)
        with self._lock:
            self._pairs.pop((c, n), None)
            if (bucket := self._clients.get(c)) is not None:
                bucket.tokens = min(self.client_burst, bucket.tokens + 1)

    def unlock(self, name: str | None = None) -> int:
        """Forget the throttles for ``name`` from every client (all names if ``None``); how many."""
        with self._lock:
            if name is None:
                count = len(self._pairs)
                self._pairs.clear()
                self._clients.clear()
                return count
            n = self.key("", name)[1]
            gone = [k for k in self._pairs if k[1] == n]
            for k in gone:
                del self._pairs[k]
            return len(gone)

    def blocked_names(self, now: float | None = None) -> list[tuple[str, str, int, float]]:
        """``(client, name, attempts, seconds to wait)`` for every pair now in back-off."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return [(c, n, p.attempts, w) for (c, n), p in self._pairs.items() if (w := self._pair_wait(p, now))]

    def size(self) -> int:
        with self._lock:
            return len(self._pairs) + len(self._clients)
