"""Every bad argument raises before anything is sent, naming the argument (the collector sees no request)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Type

import pytest

import cabc

from conftest import MODEL, ScriptedCollector

GOOD = {"accuracy": 0.93}
WHEN = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)

Call = Callable[[cabc.Client], Any]

bad_calls = [
    (
        "a kind that does not exist",
        lambda c: c.push_metrics("t", "perf", GOOD, subject=MODEL),
        cabc.InvalidArgument,
        "kind",
    ),
    (
        "a metric that is text",
        lambda c: c.push_metrics("t", "performance", {"accuracy": "0.93"}, subject=MODEL),
        cabc.InvalidArgumentType,
        "metrics['accuracy']",
    ),
    (
        "a metric that is a boolean",
        lambda c: c.push_metrics("t", "performance", {"passed": True}, subject=MODEL),
        cabc.InvalidArgumentType,
        "metrics['passed']",
    ),
    (
        "a NaN metric",
        lambda c: c.push_metrics("t", "performance", {"accuracy": float("nan")}, subject=MODEL),
        cabc.InvalidArgument,
        "metrics['accuracy']",
    ),
    ("no metrics", lambda c: c.push_metrics("t", "performance", {}, subject=MODEL), cabc.InvalidArgument, "metrics"),
    (
        "metrics that are a list",
        lambda c: c.push_metrics("t", "performance", [0.9], subject=MODEL),  # type: ignore[arg-type]
        cabc.InvalidArgumentType,
        "metrics",
    ),
    (
        "a digest that is not sha256",
        lambda c: c.push_metrics("t", "performance", GOOD, subject="model.onnx@sha256:abc123"),
        cabc.InvalidArgument,
        "subject",
    ),
    (
        "an md5 digest only",
        lambda c: c.push_metrics("t", "performance", GOOD, subject={"name": "m", "digest": {"md5": "a" * 32}}),
        cabc.InvalidArgument,
        "subject",
    ),
    (
        "a (name, digest) pair with a short digest",
        lambda c: c.push_metrics("t", "performance", GOOD, subject=("model.onnx", "ab" * 10)),
        cabc.InvalidArgument,
        "subject",
    ),
    (
        "the second of two subjects bad",
        lambda c: c.push_metrics("t", "performance", GOOD, subject=[MODEL, "dataset"]),
        cabc.InvalidArgument,
        "subject[1]",
    ),
    (
        "no subject for unified evidence",
        lambda c: c.push_metrics("t", "performance", GOOD, subject=[]),
        cabc.InvalidArgument,
        "subject",
    ),
    (
        "a subject of the wrong type",
        lambda c: c.push_metrics("t", "performance", GOOD, subject=42),  # type: ignore[arg-type]
        cabc.InvalidArgumentType,
        "subject",
    ),
    ("an empty toe", lambda c: c.push_metrics("", "performance", GOOD, subject=MODEL), cabc.InvalidArgument, "toe"),
    (
        "a toe that is not text",
        lambda c: c.push_metrics(7, "performance", GOOD, subject=MODEL),  # type: ignore[arg-type]
        cabc.InvalidArgumentType,
        "toe",
    ),
    (
        "a naive datetime",
        lambda c: c.push_metrics("t", "performance", GOOD, subject=MODEL, observed_at=datetime(2026, 1, 1)),
        cabc.InvalidArgument,
        "observed_at",
    ),
    (
        "a time without offset",
        lambda c: c.push_metrics("t", "performance", GOOD, subject=MODEL, observed_at="2026-01-01T10:00:00"),
        cabc.InvalidArgument,
        "observed_at",
    ),
    (
        "an unknown context member",
        lambda c: c.push_metrics("t", "performance", GOOD, subject=MODEL, context={"datasett": "x"}),
        cabc.InvalidArgument,
        "context",
    ),
    (
        "a check status that does not exist",
        lambda c: c.push_evidence("t", "evaluation", subject=MODEL, checks=[{"name": "c", "status": "ok"}]),
        cabc.InvalidArgument,
        "check 'c'.status",
    ),
    (
        "a measurement text over 1024 characters",
        lambda c: c.push_evidence("t", "evaluation", subject=MODEL, measurements=[{"name": "m", "value": "x" * 1025}]),
        cabc.InvalidArgument,
        "measurement 'm'",
    ),
    (
        "a measurement with an unknown member",
        lambda c: c.push_evidence("t", "evaluation", subject=MODEL, measurements=[{"name": "m", "valeu": 1}]),
        cabc.InvalidArgumentType,
        "measurements[0]",
    ),
    (
        "measurements given as a mapping",
        lambda c: c.push_evidence("t", "evaluation", subject=MODEL, measurements={"m": 1}),  # type: ignore[arg-type]
        cabc.InvalidArgumentType,
        "measurements",
    ),
    (
        "a producer tool that is empty",
        lambda c: c.push_metrics("t", "performance", GOOD, subject=MODEL, producer=""),
        cabc.InvalidArgument,
        "producer.tool",
    ),
    (
        "an idempotency key with a space",
        lambda c: c.push_metrics("t", "performance", GOOD, subject=MODEL, idempotency_key="run 1"),
        cabc.InvalidArgument,
        "idempotency_key",
    ),
    ("an unknown format", lambda c: c.push_file("t", b"{}", format="mlflow"), cabc.InvalidArgument, "format"),
    ("a file that does not exist", lambda c: c.push_file("t", "/nonexistent/run.json"), cabc.InvalidArgument, "file"),
    ("an empty file", lambda c: c.push_file("t", b"  \n"), cabc.InvalidArgument, "file"),
    (
        "a file name with a directory",
        lambda c: c.push_file("t", b"{}", filename="reports/run.json"),
        cabc.InvalidArgument,
        "filename",
    ),
    ("a file of the wrong type", lambda c: c.push_file("t", 3.5), cabc.InvalidArgumentType, "file"),  # type: ignore[arg-type]
    (
        "a model reference without its digest",
        lambda c: c.push_file("t", b"{}", subject="model.onnx"),
        cabc.InvalidArgument,
        "subject",
    ),
    ("no files", lambda c: c.push_files("t", []), cabc.InvalidArgument, "files"),
    (
        "more than 100 files",
        lambda c: c.push_files("t", [("f.json", b"{}")] * 101),
        cabc.InvalidArgument,
        "files",
    ),
    (
        "a file pair whose content is text",
        lambda c: c.push_files("t", [("f.json", "{}")]),  # type: ignore[list-item]
        cabc.InvalidArgumentType,
        "files[0]",
    ),
    ("a path that does not exist", lambda c: c.push_paths("t", ["/nonexistent"]), cabc.InvalidArgument, "paths"),
    ("a concurrency of 0", lambda c: c.push_paths("t", ["."], concurrency=0), cabc.InvalidArgument, "concurrency"),
    ("an evidence id that is empty", lambda c: c.get_evidence(""), cabc.InvalidArgument, "evidence_id"),
    ("nothing to wait for", lambda c: c.wait_for_delivery([]), cabc.InvalidArgument, "evidence"),
]


@pytest.mark.parametrize("what, call, error, argument", bad_calls, ids=[row[0] for row in bad_calls])
def test_a_bad_argument_raises_before_sending(
    collector: ScriptedCollector, client: cabc.Client, what: str, call: Call, error: Type[Exception], argument: str
) -> None:
    with pytest.raises(error) as raised:
        call(client)
    assert raised.value.argument == argument  # type: ignore[attr-defined]
    assert str(raised.value).startswith(f"{argument}: ")
    assert collector.received == []


def test_the_errors_are_value_and_type_errors() -> None:
    assert issubclass(cabc.InvalidArgument, ValueError)
    assert issubclass(cabc.InvalidArgumentType, TypeError)


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"collector_url": "collector:8081", "token": "t"}, "collector_url"),
        ({"collector_url": "ftp://collector", "token": "t"}, "collector_url"),
        ({"collector_url": "http://collector:8081?x=1", "token": "t"}, "collector_url"),
        ({"collector_url": "http://collector:8081"}, "token"),
        ({"collector_url": "http://collector:8081", "token": "two words"}, "token"),
        ({"collector_url": "http://collector:8081", "token": "t", "timeout": 0}, "timeout"),
        ({"collector_url": "http://collector:8081", "token": "t", "run_id": ""}, "run_id"),
    ],
)
def test_a_client_with_bad_settings_is_refused(kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises(cabc.InvalidArgument) as raised:
        cabc.Client(environ={}, **kwargs)
    assert raised.value.argument == argument


def test_a_bad_retry_policy_is_refused() -> None:
    with pytest.raises(cabc.InvalidArgument, match="retry.max_attempts"):
        cabc.RetryPolicy(max_attempts=0)


def test_numbers_of_any_real_type_are_accepted_and_sent_as_plain_numbers(
    collector: ScriptedCollector, client: cabc.Client
) -> None:
    client.push_metrics(
        "t", "performance", {"accuracy": Fraction(9, 10), "rows": 1200, "auc": None}, subject=MODEL, observed_at=WHEN
    )
    sent = collector.received[0].json()
    assert sent["measurements"] == [
        {"name": "accuracy", "value": 0.9},
        {"name": "rows", "value": 1200},
        {"name": "auc", "value": None},
    ]


def test_subjects_in_every_accepted_form(collector: ScriptedCollector, client: cabc.Client, tmp_path: Path) -> None:
    model = tmp_path / "model.onnx"
    model.write_bytes(b"weights")
    subjects = [
        cabc.Subject.from_file(model),
        "dataset.csv@sha256:" + "CD" * 32,
        ("tokenizer.json", "ef" * 32),
        {"name": "card.md", "digest": {"sha256": "01" * 32}, "uri": "https://models.example/card"},
    ]
    client.push_metrics("t", "performance", GOOD, subject=subjects, observed_at=WHEN)
    assert collector.received[0].json()["subject"] == [
        {"name": "model.onnx", "digest": {"sha256": hashlib.sha256(b"weights").hexdigest()}},
        {"name": "dataset.csv", "digest": {"sha256": "cd" * 32}},
        {"name": "tokenizer.json", "digest": {"sha256": "ef" * 32}},
        {"name": "card.md", "digest": {"sha256": "01" * 32}, "uri": "https://models.example/card"},
    ]
