"""Tests of the in-memory rate limiter and its client-address keys."""

from __future__ import annotations

import pytest

from labelshare.api.limits import RateLimited, RateLimiter, client_key


class TestRateLimiter:
    """Token buckets per key on an injected clock."""

    def test_burst_then_sustained_rate(self) -> None:
        """A full bucket allows ``burst`` requests, then one per 1/rate seconds."""
        now = [0.0]
        limiter = RateLimiter(2.0, burst=3, clock=lambda: now[0])
        assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
        assert limiter.take("a") == pytest.approx(0.5)
        now[0] = 0.5
        assert limiter.take("a") == 0.0
        assert limiter.take("a") == pytest.approx(0.5)

    def test_keys_are_independent(self) -> None:
        """An empty bucket of one key leaves another key's alone."""
        limiter = RateLimiter(1.0, burst=1, clock=lambda: 0.0)
        assert limiter.take("a") == 0.0
        assert limiter.take("a") > 0
        assert limiter.take("b") == 0.0

    def test_zero_rate_is_off(self) -> None:
        """A rate of 0 never refuses and keeps no buckets."""
        limiter = RateLimiter(0.0, clock=lambda: 0.0)
        assert all(limiter.take("a") == 0.0 for _ in range(100))
        assert len(limiter) == 0

    def test_retry_after_rounds_up(self) -> None:
        """The error of an empty bucket names the field and the whole seconds to wait."""
        limiter = RateLimiter(1 / 60, burst=1, clock=lambda: 0.0)
        limiter.check_client("203.0.113.5")
        with pytest.raises(RateLimited, match="^client: more than 1 requests a minute") as exc:
            limiter.check_client("203.0.113.5")
        assert exc.value.retry_after_s == 60
        token_limiter = RateLimiter(0.4, burst=1, clock=lambda: 0.0)
        token_limiter.check("lsk_secret")
        with pytest.raises(RateLimited, match="^authorization: ") as exc:
            token_limiter.check("lsk_secret")
        assert exc.value.retry_after_s == 3  # 2.5 s, rounded up

    def test_memory_bounded_by_pruning(self) -> None:
        """Past ``max_keys``, refilled buckets are dropped and live ones kept."""
        now = [0.0]
        limiter = RateLimiter(1.0, burst=1, clock=lambda: now[0])
        limiter.max_keys = 10
        for n in range(10):
            limiter.take(f"old{n}")
        now[0] = 5.0  # every old bucket has refilled
        limiter.take("live")
        assert len(limiter) == 1
        assert limiter.take("live") > 0  # pruning forgot no live bucket

    def test_memory_bounded_under_a_flood(self) -> None:
        """Live keys beyond ``max_keys`` never grow the limiter past it."""
        limiter = RateLimiter(1.0, burst=1, clock=lambda: 0.0)
        limiter.max_keys = 10
        for n in range(1000):
            limiter.take(f"k{n}")
            assert len(limiter) <= 10


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8::1", "2001:db8::/64"),
        ("2001:db8::ffff:1", "2001:db8::/64"),
        ("2001:db8:0:1::1", "2001:db8:0:1::/64"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("testclient", "testclient"),
        (None, "unknown"),
    ],
)
def test_client_key(host: str | None, key: str) -> None:
    """IPv4 addresses are keys as they are, IPv6 ones by their /64, mapped IPv4 as IPv4."""
    assert client_key(host) == key
