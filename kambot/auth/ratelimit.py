"""Per-caller rate limits: a token bucket per API key, session or client address.

A bucket holds up to ``per_minute`` requests and refills continuously at
``per_minute / 60`` per second, so a caller may burst up to its minute's worth and then
proceeds at the steady rate. The buckets live in the process: several API workers each
apply the limit on their own.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True)
class Decision:
    """The limiter's answer for one request."""

    allowed: bool
    remaining: int
    retry_after_s: int  # 0 when allowed


class RateLimiter:
    """Token buckets keyed by caller.

    Args:
        per_minute: requests a caller may make per minute (also the burst size).
        clock: a monotonic clock in seconds (tests pass a fake one).
        max_buckets: above this many callers, full buckets (idle callers) are forgotten.
    """

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic,
                 max_buckets: int = 10_000) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._max_buckets = max_buckets
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def _refill(self, bucket: _Bucket, moment: float) -> None:
        bucket.tokens = min(self.capacity, bucket.tokens + (moment - bucket.updated) * self.rate)
        bucket.updated = moment

    def hit(self, caller: str, cost: float = 1.0) -> Decision:
        """Take ``cost`` tokens from the caller's bucket if it holds them."""
        moment = self._clock()
        with self._lock:
            bucket = self._buckets.get(caller)
            if bucket is None:
                if len(self._buckets) >= self._max_buckets:
                    self._forget_idle(moment)
                bucket = self._buckets[caller] = _Bucket(self.capacity, moment)
            else:
                self._refill(bucket, moment)
            if bucket.tokens >= cost:
                bucket.tokens -= cost
                return Decision(True, int(bucket.tokens), 0)
            wait = (cost - bucket.tokens) / self.rate
            return Decision(False, 0, max(1, math.ceil(wait)))

    def exhausted(self, caller: str) -> Decision | None:
        """Return a refusal when the caller has no token left, without taking one."""
        moment = self._clock()
        with self._lock:
            bucket = self._buckets.get(caller)
            if bucket is None:
                return None
            self._refill(bucket, moment)
            if bucket.tokens >= 1.0:
                return None
            return Decision(False, 0, max(1, math.ceil((1.0 - bucket.tokens) / self.rate)))

    def _forget_idle(self, moment: float) -> None:
        for name, bucket in list(self._buckets.items()):
            self._refill(bucket, moment)
            if bucket.tokens >= self.capacity:
                del self._buckets[name]
        if len(self._buckets) >= self._max_buckets:
            # Everyone is busy: drop the fullest half rather than grow without bound.
            ranked = sorted(self._buckets.items(), key=lambda item: -item[1].tokens)
            for name, _bucket in ranked[: len(ranked) // 2]:
                del self._buckets[name]

    def reset(self, caller: str | None = None) -> None:
        """Forget one caller's bucket, or all of them."""
        with self._lock:
            if caller is None:
                self._buckets.clear()
            else:
                self._buckets.pop(caller, None)
