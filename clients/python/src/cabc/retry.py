"""When to try a request again, and how long to wait: exponential backoff with jitter, at least Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Optional

from .errors import InvalidArgument

#: Answers worth another attempt: the collector was busy, overloaded or failed for a moment.
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Every request carries an Idempotency-Key, so a retry after a lost answer never stores twice.

    The n-th retry waits a random time between half and all of `base_delay * 2**(n-1)` (capped at `max_delay`), and
    never less than the answer's Retry-After. A Retry-After longer than `max_retry_after` ends the retries at once:
    the error is raised rather than blocking the pipeline for that long.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise InvalidArgument("retry.max_attempts", "a whole number, at least 1")
        for name in ("base_delay", "max_delay", "max_retry_after"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or value < 0:
                raise InvalidArgument(f"retry.{name}", "a number of seconds, at least 0")

    def backoff(self, retry: int, rng: random.Random) -> float:
        """The wait before retry number `retry` (1 for the first retry) without a Retry-After."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return rng.uniform(ceiling / 2, ceiling)

    def delay(self, retry: int, retry_after: Optional[float], rng: random.Random) -> Optional[float]:
        """The wait before retry number `retry`, or None when Retry-After asks for longer than `max_retry_after`."""
        if retry_after is not None and retry_after > self.max_retry_after:
            return None
        backoff = self.backoff(retry, rng)
        return backoff if retry_after is None else max(backoff, retry_after)


def parse_retry_after(value: Optional[str], now: Optional[datetime] = None) -> Optional[float]:
    """RFC 9110 Retry-After: delay-seconds or an HTTP-date; None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
