"""Request limits: body size (an ASGI middleware) and request rates (token buckets).

Rates are limited per token (every authenticated request) and per client address (the
unauthenticated sign-in endpoints). All answer with the same JSON error body as every
other error.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from labelshare.errors import LabelshareError

MAX_JSON_BYTES = 1 << 20
MAX_UPLOAD_BYTES = 256 << 20
# Bulk uploads go to these paths; every other request is a small JSON body.
_UPLOAD_SUFFIXES = ("/items",)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RateLimited(LabelshareError):
    """A caller sent more requests than its rate limit allows; retry after a moment.

    Attributes:
        retry_after_s: whole seconds until the caller's next request is allowed.
    """

    def __init__(self, message: str, *, retry_after_s: int = 1) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class RequestTooLarge(LabelshareError):
    """A request body larger than the limit of its endpoint."""


class RateLimiter:
    """A token bucket per key: ``rate_per_s`` sustained, bursts of ``burst`` requests.

    Kept in memory, per worker process: with N workers a caller gets up to N times the
    rate, which is enough to stop a runaway script or a sign-in flood without a shared
    store.
    """

    # Beyond this many keys, buckets that have refilled (the same as absent ones) are
    # dropped; keys are cheap to make (addresses, guessed tokens), memory is not.
    max_keys = 100_000

    def __init__(
        self,
        rate_per_s: float,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Make an empty limiter.

        Args:
            rate_per_s: sustained requests per second per key; 0 turns the limit off.
            burst: requests a full bucket holds (default twice the rate, at least 1).
            clock: monotonic seconds; tests pass a clock they move by hand.
        """
        self.rate_per_s = rate_per_s
        self.burst = max(1.0, 2.0 * rate_per_s if burst is None else burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many keys have a bucket in memory."""
        return len(self._buckets)

    def take(self, key: str) -> float:
        """Take one request from ``key``'s bucket.

        Returns:
            0.0 if the request is allowed, else the seconds until the bucket holds one.
        """
        if self.rate_per_s <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            if key not in self._buckets and len(self._buckets) >= self.max_keys:
                self._prune(now)
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate_per_s)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / self.rate_per_s
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0

    def _prune(self, now: float) -> None:
        refill_s = self.burst / self.rate_per_s
        self._buckets = {
            key: bucket for key, bucket in self._buckets.items() if now - bucket[1] < refill_s
        }
        # Still crowded with live keys: forget them all, so pruning stays rare (at most
        # once per max_keys / 2 new keys). Whoever can make that many keys already has
        # that many full buckets, so this frees memory without giving much away.
        if len(self._buckets) > self.max_keys // 2:
            self._buckets.clear()

    def check(self, secret: str) -> None:
        """Take one request from the bucket of the bearer ``secret``.

        Raises:
            RateLimited: if the bucket is empty.
        """
        wait_s = self.take(hashlib.blake2b(secret.encode(), digest_size=16).hexdigest())
        if wait_s:
            raise RateLimited(
                f"authorization: more than {self.rate_per_s:g} requests/s with this token",
                retry_after_s=math.ceil(wait_s),
            )

    def check_client(self, host: str | None) -> None:
        """Take one request from the bucket of the client address ``host``.

        IPv6 clients are counted per /64 network, since one host usually holds a whole
        /64 and could otherwise rotate addresses at will.

        Raises:
            RateLimited: if the bucket is empty.
        """
        wait_s = self.take(client_key(host))
        if wait_s:
            per_min = self.rate_per_s * 60
            raise RateLimited(
                f"client: more than {per_min:g} requests a minute from this address",
                retry_after_s=math.ceil(wait_s),
            )


def client_key(host: str | None) -> str:
    """The rate-limit key of a client address: the address, or its /64 for IPv6."""
    if host is None:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host  # not an IP (a test client's name, a Unix socket peer)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is the IPv4 client a.b.c.d
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class TokenCache:
    """Bearer secret to account id, each entry kept ``ttl_s`` seconds.

    Keyed by a digest so no secret sits in memory longer than its request.
    """

    def __init__(self, ttl_s: float = 5.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        """Args: ttl_s: how long an entry is trusted; clock: monotonic seconds."""
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[bytes, tuple[int, float]] = {}

    @staticmethod
    def _key(secret: str) -> bytes:
        return hashlib.blake2b(secret.encode(), digest_size=16).digest()

    def get(self, secret: str) -> int | None:
        """The cached account id of ``secret``, or None when absent or stale."""
        entry = self._entries.get(self._key(secret))
        if entry is None or entry[1] <= self._clock():
            return None
        return entry[0]

    def put(self, secret: str, account_id: int) -> None:
        """Remember ``secret``'s account for ``ttl_s`` seconds."""
        if len(self._entries) > 100_000:
            self._entries.clear()  # bounded memory; entries are cheap to rebuild
        self._entries[self._key(secret)] = (account_id, self._clock() + self.ttl_s)

    def clear(self) -> None:
        """Forget every entry (after a revocation or sign-out)."""
        self._entries.clear()


def _limit_for(path: str) -> int:
    return MAX_UPLOAD_BYTES if path.endswith(_UPLOAD_SUFFIXES) else MAX_JSON_BYTES


async def _reject(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "error": RequestTooLarge.__name__,
            "detail": f"body: larger than {limit} bytes",
            "field": "body",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """Refuse bodies over the path's limit: early by Content-Length, else while read."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, cutting it off with 413 past the limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = _limit_for(scope["path"])
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit() or int(value) > limit:
                    await _reject(send, limit)
                    return
                break
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise RequestTooLarge(f"body: larger than {limit} bytes")
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except RequestTooLarge:
            if not started:
                await _reject(send, limit)
