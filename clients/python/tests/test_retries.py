"""Retries: 429, 5xx and connection errors again under the same Idempotency-Key, backoff with jitter, Retry-After."""

from __future__ import annotations

import random
import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

import cabc
from cabc.retry import parse_retry_after

from conftest import MODEL, RecordedSleep, Reply, ScriptedCollector, evidence_view, problem

GOOD = {"accuracy": 0.93}
WHEN = "2026-12-02T09:00:00Z"


def push(client: cabc.Client) -> cabc.Evidence:
    return client.push_metrics("credit-scoring", "performance", GOOD, subject=MODEL, observed_at=WHEN)


def keys(collector: ScriptedCollector) -> list[str]:
    return [request.headers["idempotency-key"] for request in collector.received]


def test_a_503_with_retry_after_is_retried_after_at_least_that_long(
    collector: ScriptedCollector, client: cabc.Client, sleep: RecordedSleep
) -> None:
    unavailable = problem(503, "unavailable", "restarting")
    unavailable.headers["retry-after"] = "3"
    collector.then(unavailable)
    evidence = push(client)
    assert evidence.kind == "performance"
    assert len(collector.received) == 2
    assert sleep.waits == [3.0]
    # The retry is the same request under the same key: the collector stores it once.
    assert len(set(keys(collector))) == 1
    assert collector.received[0].body == collector.received[1].body


def test_a_429_with_an_http_date_waits_until_that_date(
    collector: ScriptedCollector, client: cabc.Client, sleep: RecordedSleep
) -> None:
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=20), usegmt=True)
    collector.then(Reply(429, {"title": "Too many requests"}, {"retry-after": later}))
    push(client)
    assert len(sleep.waits) == 1
    assert 18 <= sleep.waits[0] <= 20


def test_backoff_doubles_with_jitter_and_gives_up_with_the_last_problem(
    collector: ScriptedCollector, sleep: RecordedSleep
) -> None:
    client = cabc.Client(
        collector.url,
        "t",
        environ={},
        sleep=sleep,
        retry=cabc.RetryPolicy(max_attempts=5, base_delay=0.5, max_delay=3.0),
        rng=random.Random(7),
    )
    collector.then(*[problem(500, "internal", "boom") for _ in range(5)])
    with pytest.raises(cabc.CabcProblem) as raised:
        push(client)
    assert raised.value.status == 500
    assert len(collector.received) == 5
    assert len(set(keys(collector))) == 1
    # Ceilings 0.5, 1, 2, then capped at 3; each wait is between half and all of its ceiling.
    ceilings = [0.5, 1.0, 2.0, 3.0]
    assert len(sleep.waits) == 4
    for wait, ceiling in zip(sleep.waits, ceilings):
        assert ceiling / 2 <= wait <= ceiling
    assert len(set(sleep.waits)) == 4, "jitter: the waits differ"


def test_a_dropped_connection_is_retried(
    collector: ScriptedCollector, client: cabc.Client, sleep: RecordedSleep
) -> None:
    collector.then(Reply(drop=True), Reply(drop=True))
    push(client)
    assert len(collector.received) == 3
    assert len(set(keys(collector))) == 1
    assert len(sleep.waits) == 2
    assert 0.25 <= sleep.waits[0] <= 0.5 and 0.5 <= sleep.waits[1] <= 1.0


def test_a_retry_after_longer_than_the_policy_allows_raises_at_once(
    collector: ScriptedCollector, sleep: RecordedSleep
) -> None:
    client = cabc.Client(collector.url, "t", environ={}, sleep=sleep, retry=cabc.RetryPolicy(max_retry_after=60))
    collector.then(Reply(503, {"title": "Maintenance", "detail": "back in an hour"}, {"retry-after": "3600"}))
    with pytest.raises(cabc.CabcProblem) as raised:
        push(client)
    assert (raised.value.status, raised.value.retry_after) == (503, 3600.0)
    assert len(collector.received) == 1
    assert sleep.waits == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 415, 422])
def test_answers_that_a_retry_cannot_fix_are_raised_at_once(
    collector: ScriptedCollector, client: cabc.Client, sleep: RecordedSleep, status: int
) -> None:
    collector.then(problem(status, "refused", "no"))
    with pytest.raises(cabc.CabcProblem) as raised:
        push(client)
    assert raised.value.status == status
    assert len(collector.received) == 1
    assert sleep.waits == []


def test_an_unreachable_collector_raises_a_connection_error_after_every_attempt(sleep: RecordedSleep) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = cabc.Client(
        f"http://127.0.0.1:{port}", "t", environ={}, sleep=sleep, retry=cabc.RetryPolicy(max_attempts=3)
    )
    with pytest.raises(cabc.CabcConnectionError) as raised:
        push(client)
    assert raised.value.attempts == 3
    assert len(sleep.waits) == 2
    assert f"127.0.0.1:{port}" in str(raised.value)


def test_a_redirect_is_an_error_not_a_silent_get(collector: ScriptedCollector, client: cabc.Client) -> None:
    collector.then(Reply(307, None, {"location": "https://collector.example/v1/evidence"}))
    with pytest.raises(cabc.CabcProblem) as raised:
        push(client)
    assert raised.value.status == 307
    assert "https://collector.example/v1/evidence" in raised.value.detail
    assert len(collector.received) == 1


def test_the_token_is_sent_as_bearer_and_never_shown(collector: ScriptedCollector, sleep: RecordedSleep) -> None:
    client = cabc.Client(collector.url, "s3cr3t-token", environ={}, sleep=sleep)
    push(client)
    assert collector.received[0].headers["authorization"] == "Bearer s3cr3t-token"
    assert "s3cr3t" not in repr(client)


@pytest.mark.parametrize(
    "header, expected",
    [("120", 120.0), ("0", 0.0), (" 5 ", 5.0), ("soon", None), ("-1", None), (None, None), ("1.5", None)],
)
def test_retry_after_seconds(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_retry_after_in_the_past_means_now() -> None:
    now = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Wed, 02 Dec 2026 09:59:00 GMT", now) == 0.0
    assert parse_retry_after("Wed, 02 Dec 2026 10:00:30 GMT", now) == 30.0


def test_a_replayed_answer_is_marked(collector: ScriptedCollector, client: cabc.Client) -> None:
    collector.then(Reply(200, evidence_view()))
    assert push(client).replayed is True
    assert push(client).replayed is False
