"""The collector's problem+json answers become CabcProblem with status, title, detail and the fields at fault."""

from __future__ import annotations

import json

import pytest

import cabc

from conftest import MODEL, Reply, ScriptedCollector, problem


def test_a_problem_json_answer_is_read_member_by_member(collector: ScriptedCollector, client: cabc.Client) -> None:
    collector.then(
        Reply(
            409,
            {
                "type": "https://cabc.dev/problems/conflict",
                "title": "Conflict",
                "status": 409,
                "detail": 'Idempotency-Key "k" was already used for a different request',
                "instance": "/v1/evidence",
                "requestId": "req-42",
                "errors": [{"field": "header:idempotency-key", "message": "already used for a different request"}],
                "submissionId": "0b9c1f9e-0000-4000-8000-0000000000aa",
            },
            {"content-type": "application/problem+json"},
        )
    )
    with pytest.raises(cabc.CabcProblem) as raised:
        client.push_metrics("t", "performance", {"accuracy": 1}, subject=MODEL, idempotency_key="k")
    error = raised.value
    assert (error.status, error.type, error.title) == (409, "https://cabc.dev/problems/conflict", "Conflict")
    assert error.detail.startswith("Idempotency-Key")
    assert (error.instance, error.request_id) == ("/v1/evidence", "req-42")
    assert error.errors == (cabc.FieldError("header:idempotency-key", "already used for a different request"),)
    assert error.fields == ("header:idempotency-key",)
    assert error.extensions == {"submissionId": "0b9c1f9e-0000-4000-8000-0000000000aa"}
    assert str(error) == (
        'HTTP 409 Conflict: Idempotency-Key "k" was already used for a different request [header:idempotency-key]'
    )
    assert isinstance(error, cabc.CabcError)


def test_the_fields_of_a_422_name_where_the_cause_is(collector: ScriptedCollector, client: cabc.Client) -> None:
    collector.then(
        problem(422, "subject-required", "name the model", [("subject", "required"), ("file[1]", "no digest")])
    )
    with pytest.raises(cabc.CabcProblem) as raised:
        client.push_file("t", b'{"run": {}}', filename="run.json")
    assert raised.value.fields == ("subject", "file[1]")
    assert raised.value.to_dict()["errors"] == [
        {"field": "subject", "message": "required"},
        {"field": "file[1]", "message": "no digest"},
    ]


def test_an_answer_that_is_not_json_still_says_what_happened() -> None:
    error = cabc.CabcProblem.from_response(502, b"<html>Bad gateway</html>", content_type="text/html")
    assert (error.status, error.title) == (502, "Bad Gateway")
    assert "<html>Bad gateway</html>" in error.detail
    assert error.errors == ()


def test_an_empty_error_answer() -> None:
    error = cabc.CabcProblem.from_response(404, b"")
    assert (error.title, error.detail) == (
        "Not Found",
        "the collector answered HTTP 404 without a body (not a problem+json answer)",
    )


def test_to_dict_gives_back_what_the_collector_sent() -> None:
    body = {
        "type": "https://cabc.dev/problems/unknown-format",
        "title": "Unsupported media type",
        "status": 415,
        "detail": "the input matches none of the known formats",
        "instance": "/v1/evidence?toe=t",
        "requestId": "r",
        "errors": [{"field": "body", "message": "unknown format"}],
    }
    error = cabc.CabcProblem.from_response(415, json.dumps(body).encode(), content_type="application/problem+json")
    assert error.to_dict() == body
