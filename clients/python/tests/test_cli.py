"""`python -m cabc push`: the Node CLI's flags, lines, JSON report and exit codes, against the scripted collector."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple
from urllib.parse import parse_qsl, urlsplit

import pytest

from cabc.cli import main

from conftest import MODEL, Reply, ScriptedCollector, pending_submission, problem


def run(args: List[str], monkeypatch: pytest.MonkeyPatch, env: Dict[str, str]) -> Tuple[int, str, str]:
    for name in ("CABC_TOKEN", "CABC_COLLECTOR_URL", "CABC_RUN_ID", "GITHUB_RUN_ID", "CI_PIPELINE_ID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(args, stdout=stdout, stderr=stderr)
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    folder = tmp_path / "outputs"
    (folder / "nested").mkdir(parents=True)
    (folder / "run.json").write_text('{"run": {"info": {"run_id": "r"}, "data": {}}}')
    (folder / "nested" / "config.yaml").write_text("learning_rate: 0.1\n")
    (folder / "loss.png").write_bytes(b"\x89PNG...")
    (folder / "empty.json").write_text("")
    (folder / ".cache.json").write_text("{}")
    return folder


def test_pushes_a_directory_skipping_what_is_not_evidence(
    collector: ScriptedCollector, monkeypatch: pytest.MonkeyPatch, outputs: Path
) -> None:
    # Sorted walk: nested/config.yaml (no known format), then run.json; loss.png and .cache.json are never sent.
    collector.then(
        problem(415, "unknown-format", "the input matches none of the known formats", [("body", "unknown format")]),
        Reply(201, pending_submission("performance", "model_parameters", fmt="mlflow-run")),
    )
    code, stdout, stderr = run(
        ["push", str(outputs), "--toe", "credit-scoring", "--model", MODEL, "--run-id", "ci-9", "--concurrency", "1"],
        monkeypatch,
        {"CABC_TOKEN": "tok", "CABC_COLLECTOR_URL": collector.url},
    )
    assert code == 0, stderr
    assert [parse_qsl(urlsplit(r.path).query)[1] for r in collector.received] == [
        ("filename", "config.yaml"),
        ("filename", "run.json"),
    ]
    assert f"✓ {outputs / 'run.json'} (mlflow-run) → 2 evidence: performance, model_parameters" in stdout
    assert f"warning: {outputs / 'loss.png'}: skipped, not a JSON, YAML or Markdown file" in stderr
    assert f"warning: {outputs / 'empty.json'}: skipped, no known evidence format (empty)" in stderr
    assert f"warning: {outputs / 'nested' / 'config.yaml'}: skipped, no known evidence format" in stderr
    assert stdout.strip().endswith(
        f"pushed 1 of 4 file(s), 2 evidence, ToE credit-scoring, collector {collector.url}; 3 skipped"
    )


def test_json_report_has_the_node_cli_shape(
    collector: ScriptedCollector, monkeypatch: pytest.MonkeyPatch, outputs: Path
) -> None:
    collector.default = Reply(201, pending_submission("performance", fmt="mlflow-run"))
    run_file = outputs / "run.json"
    code, stdout, _ = run(
        ["push", str(run_file), "--toe", "t", "--model", MODEL, "--json", "--collector", collector.url],
        monkeypatch,
        {"CABC_TOKEN": "tok"},
    )
    assert code == 0
    report: Any = json.loads(stdout)
    assert set(report) == {"ok", "collector", "toe", "files", "summary"}
    assert report["summary"] == {"files": 1, "pushed": 1, "rejected": 0, "skipped": 0, "evidence": 1}
    [item] = report["files"]
    assert item["status"] == "pushed" and item["format"] == "mlflow-run" and item["httpStatus"] == 201
    assert set(item["evidence"][0]) == {"id", "kind", "envelopeSha256", "statementSha256", "rawSha256", "delivery"}
    assert len(item["sha256"]) == 64 and item["bytes"] == run_file.stat().st_size


def test_a_rejected_named_file_exits_1_with_the_problem(
    collector: ScriptedCollector, monkeypatch: pytest.MonkeyPatch, outputs: Path
) -> None:
    collector.then(problem(422, "subject-required", "name the model", [("subject", "required")]))
    code, stdout, _ = run(
        ["push", str(outputs / "run.json"), "--toe", "t", "--json"],
        monkeypatch,
        {"CABC_TOKEN": "tok", "CABC_COLLECTOR_URL": collector.url},
    )
    assert code == 1
    report = json.loads(stdout)
    assert report["ok"] is False
    assert report["files"][0]["problem"]["errors"] == [{"field": "subject", "message": "required"}]


def test_a_401_stops_sending_the_other_files(
    collector: ScriptedCollector, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for index in range(3):
        (tmp_path / f"report-{index}.json").write_text('{"metrics": []}')
    collector.default = problem(401, "unauthorized", "token expired")
    code, stdout, _ = run(
        ["push", str(tmp_path), "--toe", "t", "--concurrency", "1"],
        monkeypatch,
        {"CABC_TOKEN": "tok", "CABC_COLLECTOR_URL": collector.url},
    )
    assert code == 1
    assert len(collector.received) == 1
    assert stdout.count("not sent: the collector answered HTTP 401 to an earlier file") == 2


@pytest.mark.parametrize(
    "args, env, message",
    [
        (["push", ".", "--toe", "t"], {}, "a bearer token is required"),
        (["push", ".", "--toe", "t", "--model", "model.onnx"], {"CABC_TOKEN": "x"}, "--model model.onnx: expected"),
        (["push", ".", "--toe", "t", "--concurrency", "0"], {"CABC_TOKEN": "x"}, "--concurrency"),
        (["push", ".", "--toe", "t", "--collector", "nowhere"], {"CABC_TOKEN": "x"}, "--collector nowhere: not"),
        (["push", ".", "--toe", "t", "--format", "csv"], {"CABC_TOKEN": "x"}, "invalid choice: 'csv'"),
        (["push", "."], {"CABC_TOKEN": "x"}, "--toe"),
        (["push", "/nonexistent", "--toe", "t"], {"CABC_TOKEN": "x"}, "paths: /nonexistent: no such file"),
    ],
)
def test_a_wrong_command_line_exits_1_and_sends_nothing(
    collector: ScriptedCollector, monkeypatch: pytest.MonkeyPatch, args: List[str], env: Dict[str, str], message: str
) -> None:
    code, _, stderr = run(args, monkeypatch, {"CABC_COLLECTOR_URL": collector.url, **env})
    assert code == 1
    assert message in stderr
    assert collector.received == []


def test_an_unreachable_collector_exits_1(monkeypatch: pytest.MonkeyPatch, outputs: Path) -> None:
    import cabc.client

    monkeypatch.setattr(cabc.client, "RetryPolicy", lambda: cabc.RetryPolicy(max_attempts=1))
    code, stdout, _ = run(
        ["push", str(outputs / "run.json"), "--toe", "t", "--model", MODEL, "--collector", "http://127.0.0.1:9"],
        monkeypatch,
        {"CABC_TOKEN": "tok"},
    )
    assert code == 1
    assert "did not answer after 1 attempt(s)" in stdout


def test_python_dash_m_cabc_runs_the_command_line() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "cabc", "push", "--help"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0
    for flag in ("--toe", "--format", "--model", "--collector", "--token", "--run-id", "--concurrency", "--json"):
        assert flag in completed.stdout
    version = subprocess.run([sys.executable, "-m", "cabc", "--version"], capture_output=True, text=True, check=False)
    assert version.stdout.startswith("cabc ")
