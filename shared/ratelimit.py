"""A token bucket per key: the gateway's per-address limit on sign-in, reach's per-key limit on
partner queries."""

import math
import time

_MAX_BUCKETS = 10_000


class TokenBucket:
    """Per-key buckets of `burst` tokens refilled at `per_second`; memory stays bounded by
    forgetting buckets that have refilled (they hold no information)."""

    def __init__(self, *, burst: int, per_second: float) -> None:
        self.burst = float(burst)
        self.per_second = per_second
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """0 when a token was taken, else the seconds until one is available."""
        now = time.monotonic()
        tokens, updated = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - updated) * self.per_second)
        if tokens >= 1.0:
            if len(self._buckets) >= _MAX_BUCKETS and key not in self._buckets:
                self._forget_full(now)
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.per_second if self.per_second > 0 else math.inf

    def _forget_full(self, now: float) -> None:
        self._buckets = {
            key: (tokens, updated) for key, (tokens, updated) in self._buckets.items()
            if tokens + (now - updated) * self.per_second < self.burst
        }
