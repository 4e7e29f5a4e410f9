"""A small HTTP server of the tests' own on 127.0.0.1: answers what a test scripts, records what the SDK sent."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import pytest

import cabc


@dataclass
class Reply:
    status: int = 201
    body: Any = None
    headers: Dict[str, str] = field(default_factory=dict)
    #: Close the connection without answering (a connection error for the client).
    drop: bool = False


@dataclass
class Received:
    method: str
    path: str
    headers: Dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


def evidence_view(**overrides: Any) -> Dict[str, Any]:
    view = {
        "id": "0b9c1f9e-0000-4000-8000-000000000001",
        "submissionId": "0b9c1f9e-0000-4000-8000-0000000000aa",
        "toe": "credit-scoring",
        "kind": "performance",
        "format": None,
        "file": None,
        "rawSha256": None,
        "envelopeSha256": "e" * 64,
        "statementSha256": "5" * 64,
        "createdAt": "2026-12-02T10:00:00.000Z",
        "delivery": {"status": "pending", "attempts": 0, "lastError": None, "deliveredAt": None, "receipt": None},
    }
    view.update(overrides)
    return view


def problem(status: int, slug: str, detail: str, fields: Sequence[Tuple[str, str]] = ()) -> Reply:
    body = {
        "type": f"https://cabc.dev/problems/{slug}",
        "title": slug.replace("-", " ").capitalize(),
        "status": status,
        "detail": detail,
        "instance": "/v1/evidence",
        "requestId": "req-1",
        **({"errors": [{"field": name, "message": message} for name, message in fields]} if fields else {}),
    }
    return Reply(status, body, {"content-type": "application/problem+json"})


class ScriptedCollector:
    def __init__(self) -> None:
        self.replies: List[Reply] = []
        self.received: List[Received] = []
        self.default = Reply(201, evidence_view())
        self._lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                with collector._lock:
                    collector.received.append(
                        Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    reply = collector.replies.pop(0) if collector.replies else collector.default
                if reply.drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                payload = b"" if reply.body is None else json.dumps(reply.body).encode("utf-8")
                self.send_response(reply.status)
                headers = {"content-type": "application/json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _serve
            do_POST = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def then(self, *replies: Reply) -> ScriptedCollector:
        self.replies.extend(replies)
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def collector() -> Iterator[ScriptedCollector]:
    server = ScriptedCollector()
    try:
        yield server
    finally:
        server.close()


class RecordedSleep:
    """Stands in for time.sleep: records each wait instead of waiting."""

    def __init__(self) -> None:
        self.waits: List[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleep() -> RecordedSleep:
    return RecordedSleep()


@pytest.fixture
def client(collector: ScriptedCollector, sleep: RecordedSleep) -> cabc.Client:
    return cabc.Client(collector.url, "test-token", run_id="run-7", environ={}, sleep=sleep)


MODEL = "model.onnx@sha256:" + "ab" * 32


@pytest.fixture
def model() -> str:
    return MODEL


def pending_submission(*kinds: str, file: Optional[str] = None, fmt: Optional[str] = None) -> Dict[str, Any]:
    return {
        "id": "0b9c1f9e-0000-4000-8000-0000000000aa",
        "toe": "credit-scoring",
        "createdAt": "2026-12-02T10:00:00.000Z",
        "evidence": [
            evidence_view(id=f"0b9c1f9e-0000-4000-8000-00000000000{index}", kind=kind, format=fmt, file=file)
            for index, kind in enumerate(kinds)
        ],
    }
