"""Request limits: body size (an ASGI middleware) and requests per token (a bucket).

Both answer with the same JSON error body as every other error.
"""

from __future__ import annotations

import hashlib
import json
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
    """A token sent more requests than its rate limit allows; retry after a moment."""


class RequestTooLarge(LabelshareError):
    """A request body larger than the limit of its endpoint."""


class RateLimiter:
    """A token bucket per bearer secret: ``rate_per_s`` sustained, bursts of twice that.

    Kept in memory, per worker process: with N workers a token gets up to N times the
    rate, which is enough to stop a runaway script without a shared store.
    """

    def __init__(self, rate_per_s: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        """Args: rate_per_s: sustained rate (0 disables); clock: monotonic seconds."""
        self.rate_per_s = rate_per_s
        self.burst = max(1.0, 2.0 * rate_per_s)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, secret: str) -> None:
        """Take one request from ``secret``'s bucket.

        Raises:
            RateLimited: if the bucket is empty.
        """
        if self.rate_per_s <= 0:
            return
        key = hashlib.blake2b(secret.encode(), digest_size=16).hexdigest()
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate_per_s)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                raise RateLimited(
                    f"authorization: more than {self.rate_per_s:g} requests/s with this token"
                )
            self._buckets[key] = (tokens - 1.0, now)


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
