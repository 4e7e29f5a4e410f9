"""`Client`: pushes evidence to a CABC evidence collector and follows its delivery to the auditor."""

from __future__ import annotations

import hashlib
import json
import os
import random
import ssl
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import arguments
from ._version import __version__
from .answers import Evidence, EvidencePage, Submission
from .errors import (
    CabcConnectionError,
    CabcProblem,
    DeliveryRejected,
    DeliveryTimeout,
    InvalidArgument,
    InvalidArgumentType,
)
from .evidence import Check, Context, Measurement, Producer, Subject, SubjectLike
from .files import Candidate, collect_files, may_be_evidence, media_type_of
from .idempotency import derive_key, run_id_from_environment
from .multipart import encode_form
from .push_report import PushedFile, PushReport
from .retry import RetryPolicy
from .transport import Transport

DEFAULT_COLLECTOR_URL = "http://127.0.0.1:8081"
#: `producer.tool` of unified evidence when the caller names none: the SDK reported it.
DEFAULT_TOOL = "cabc-python"
#: At most this many files in one multipart request (the collector's limit).
MAX_FILES_PER_REQUEST = 100

FileLike = Union[str, "os.PathLike[str]", bytes]
Subjects = Union[SubjectLike, Iterable[SubjectLike], None]


class Client:
    """A pipeline's connection to its evidence collector.

    `collector_url` defaults to CABC_COLLECTOR_URL (else http://127.0.0.1:8081), `token` to CABC_TOKEN (a bearer token
    with role `pipeline`), `run_id` to the CI's run id (CABC_RUN_ID, GITHUB_RUN_ID, CI_PIPELINE_ID, ...), from which
    every request's Idempotency-Key is derived. Every argument is checked before anything is sent: a bad one raises
    InvalidArgument (a ValueError) or InvalidArgumentType (a TypeError) naming it. Error answers raise CabcProblem,
    an unreachable collector CabcConnectionError after the retries of `retry`.
    """

    def __init__(
        self,
        collector_url: Optional[str] = None,
        token: Optional[str] = None,
        *,
        run_id: Optional[str] = None,
        timeout: float = 60.0,
        retry: Optional[RetryPolicy] = None,
        ssl_context: Optional[ssl.SSLContext] = None,
        environ: Optional[Mapping[str, str]] = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Optional[random.Random] = None,
    ) -> None:
        env = os.environ if environ is None else environ
        url = collector_url if collector_url is not None else env.get("CABC_COLLECTOR_URL") or DEFAULT_COLLECTOR_URL
        self.collector_url = _collector_url(url)
        bearer = token if token is not None else env.get("CABC_TOKEN")
        if not bearer:
            raise InvalidArgument("token", "a bearer token with role pipeline is required: token=... or CABC_TOKEN")
        if not isinstance(bearer, str) or any(character.isspace() for character in bearer):
            raise InvalidArgument("token", "a bearer token is text without spaces or line breaks")
        if run_id is not None and (not isinstance(run_id, str) or not 1 <= len(run_id) <= 256):
            raise InvalidArgument("run_id", "1 to 256 characters")
        self.run_id = run_id if run_id is not None else run_id_from_environment(env)
        self._sleep = sleep
        self._transport = Transport(
            self.collector_url,
            bearer,
            timeout=arguments.positive_number("timeout", timeout),
            retry=retry or RetryPolicy(),
            ssl_context=ssl_context,
            sleep=sleep,
            rng=rng,
        )

    def __repr__(self) -> str:
        return f"Client(collector_url={self.collector_url!r}, run_id={self.run_id!r})"

    # Unified evidence ------------------------------------------------------------------------------------------------

    def push_metrics(
        self,
        toe: str,
        kind: str,
        metrics: Mapping[str, Union[int, float, None]],
        *,
        subject: Subjects,
        checks: Iterable[Union[Check, Mapping[str, Any]]] = (),
        producer: Union[Producer, Mapping[str, Any], str, None] = None,
        observed_at: Union[datetime, str, None] = None,
        context: Union[Context, Mapping[str, Any], None] = None,
        idempotency_key: Optional[str] = None,
    ) -> Evidence:
        """Numeric metrics (`{"accuracy": 0.93}`; None = not measured) as one piece of evidence of `kind`."""
        return self.push_evidence(
            toe,
            kind,
            subject=subject,
            measurements=arguments.metrics(metrics),
            checks=checks,
            producer=producer,
            observed_at=observed_at,
            context=context,
            idempotency_key=idempotency_key,
        )

    def push_evidence(
        self,
        toe: str,
        kind: str,
        *,
        subject: Subjects,
        measurements: Iterable[Union[Measurement, Mapping[str, Any]]] = (),
        checks: Iterable[Union[Check, Mapping[str, Any]]] = (),
        producer: Union[Producer, Mapping[str, Any], str, None] = None,
        observed_at: Union[datetime, str, None] = None,
        context: Union[Context, Mapping[str, Any], None] = None,
        idempotency_key: Optional[str] = None,
    ) -> Evidence:
        """One piece of unified evidence (docs/evidence.md): measurements and checks about the subjects."""
        default_producer = Producer(DEFAULT_TOOL, tool_version=__version__, pipeline_run_id=self.run_id)
        document: dict[str, Any] = {
            "toe": arguments.toe(toe),
            "subject": [item.descriptor() for item in arguments.subjects(subject, required=True)],
            "kind": arguments.kind(kind),
            "producer": arguments.producer(producer, default_producer).to_json(),
            "observedAt": arguments.observed_at(observed_at, datetime.now(timezone.utc)),
            "measurements": [item.to_json() for item in arguments.measurements(measurements)],
            "checks": [item.to_json() for item in arguments.checks(checks)],
        }
        context_json = arguments.context(context).to_json()
        if context_json:
            document["context"] = context_json
        key = arguments.idempotency_key(idempotency_key) or derive_key(
            self.run_id, ["unified", json.dumps(document, sort_keys=True, separators=(",", ":"))]
        )
        body = json.dumps(document, separators=(",", ":"), allow_nan=False).encode("utf-8")
        answer = self._transport.request(
            "POST", "/v1/evidence", body=body, content_type="application/json", headers={"idempotency-key": key}
        )
        return Evidence.from_json(_object(answer.body), replayed=answer.status == 200)

    # Native tool outputs ---------------------------------------------------------------------------------------------

    def push_file(
        self,
        toe: str,
        file: FileLike,
        *,
        subject: Subjects = None,
        format: Optional[str] = None,
        filename: Optional[str] = None,
        media_type: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Submission:
        """A tool's output file, byte for byte; the collector detects its format unless `format` names it.

        `file` is a path or the bytes themselves (then `filename`, e.g. `MLmodel` or `README.md`, is a format hint).
        Formats that name no digest of their own (an MLflow run, an Evidently report) need `subject`.
        """
        toe_id = arguments.toe(toe)
        format_id = arguments.format_id(format)
        subjects = arguments.subjects(subject, required=False)
        content, name = _read(file, arguments.filename(filename))
        if media_type is not None and (not isinstance(media_type, str) or "\n" in media_type):
            raise InvalidArgument("media_type", "a media type such as application/json")
        query: List[Tuple[str, str]] = [("toe", toe_id)]
        if format_id:
            query.append(("format", format_id))
        if name:
            query.append(("filename", name))
        query.extend(("model", item.reference) for item in subjects)
        sha256 = hashlib.sha256(content).hexdigest()
        key = arguments.idempotency_key(idempotency_key) or derive_key(
            self.run_id,
            ["file", toe_id, format_id or "", ",".join(item.reference for item in subjects), name or "", sha256],
        )
        answer = self._transport.request(
            "POST",
            "/v1/evidence",
            query=query,
            body=content,
            content_type=media_type or media_type_of(name or ""),
            headers={"idempotency-key": key},
        )
        return Submission.from_json(_object(answer.body), replayed=answer.status == 200)

    def push_files(
        self,
        toe: str,
        files: Sequence[Union[str, os.PathLike[str], Tuple[str, bytes]]],
        *,
        subject: Subjects = None,
        format: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Submission:
        """Several files in one request (multipart): all are stored, or none (the problem names `file[i]`)."""
        toe_id = arguments.toe(toe)
        format_id = arguments.format_id(format)
        subjects = arguments.subjects(subject, required=False)
        if isinstance(files, (str, bytes)) or not isinstance(files, Sequence):
            raise InvalidArgumentType("files", "a list of paths or (file name, bytes) pairs")
        if not 1 <= len(files) <= MAX_FILES_PER_REQUEST:
            raise InvalidArgument("files", f"1 to {MAX_FILES_PER_REQUEST} files, got {len(files)}")
        parts: List[Tuple[str, bytes, str]] = []
        for index, item in enumerate(files):
            if isinstance(item, tuple):
                if len(item) != 2 or not isinstance(item[0], str) or not isinstance(item[1], bytes):
                    raise InvalidArgumentType(f"files[{index}]", "a (file name, bytes) pair")
                name = _named(f"files[{index}]", item[0])
                parts.append((name, item[1], media_type_of(name)))
            else:
                content, read_name = _read(item, None, argument=f"files[{index}]")
                parts.append((read_name or "file", content, media_type_of(read_name or "")))
        fields = [("toe", toe_id), *([("format", format_id)] if format_id else [])]
        fields.extend(("model", item.reference) for item in subjects)
        body, content_type = encode_form(fields, parts)
        key = arguments.idempotency_key(idempotency_key) or derive_key(
            self.run_id,
            [
                "files",
                toe_id,
                format_id or "",
                ",".join(item.reference for item in subjects),
                *(f"{name}:{hashlib.sha256(content).hexdigest()}" for name, content, _ in parts),
            ],
        )
        answer = self._transport.request(
            "POST", "/v1/evidence", body=body, content_type=content_type, headers={"idempotency-key": key}
        )
        return Submission.from_json(_object(answer.body), replayed=answer.status == 200)

    def push_paths(
        self,
        toe: str,
        paths: Iterable[Union[str, os.PathLike[str]]],
        *,
        subject: Subjects = None,
        format: Optional[str] = None,
        concurrency: int = 4,
        on_progress: Optional[Callable[[int, int], None]] = None,
    ) -> PushReport:
        """What `cabc evidence push` does: files and walked directories, one request per file, a report per file.

        A file named in `paths` must be evidence (no known format: rejected); a file found in a directory that is not
        JSON, YAML or Markdown, or that the collector finds of no known format, is skipped. A 401/403 stops sending.
        """
        toe_id = arguments.toe(toe)
        format_id = arguments.format_id(format)
        subjects = arguments.subjects(subject, required=False)
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        if not isinstance(concurrency, int) or not 1 <= concurrency <= 32:
            raise InvalidArgument("concurrency", "a whole number from 1 to 32")
        candidates = collect_files(paths)
        stop_reason: List[str] = []
        lock = threading.Lock()
        done = [0]

        def push_one(candidate: Candidate) -> PushedFile:
            result = self._push_candidate(candidate, toe_id, format_id, subjects, stop_reason)
            with lock:
                if result.http_status in (401, 403) and not stop_reason:
                    stop_reason.append(f"the collector answered HTTP {result.http_status} to an earlier file")
                done[0] += 1
                if on_progress:
                    on_progress(done[0], len(candidates))
            return result

        with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(candidates) or 1))) as pool:
            results = tuple(pool.map(push_one, candidates))
        return PushReport(self.collector_url, toe_id, results)

    def _push_candidate(
        self, candidate: Candidate, toe: str, format_id: Optional[str], subjects: List[Subject], stop: List[str]
    ) -> PushedFile:
        with open(candidate.path, "rb") as file:
            content = file.read()
        sha256 = hashlib.sha256(content).hexdigest()
        unsent = PushedFile(candidate.path, "rejected", format=format_id, bytes=len(content), sha256=sha256)
        if not candidate.explicit and format_id is None and not may_be_evidence(candidate.path):
            return replace(unsent, status="skipped", reason="not a JSON, YAML or Markdown file")
        if not content.strip():
            # As the Node CLI: an empty file is no known format (skipped when found, rejected when named).
            if candidate.explicit:
                return replace(unsent, reason="the file is empty")
            return replace(unsent, status="skipped", reason="no known evidence format (empty)")
        if stop:
            return replace(unsent, reason=f"not sent: {stop[0]}")
        try:
            submission = self.push_file(
                toe, content, subject=subjects, format=format_id, filename=os.path.basename(candidate.path)
            )
        except CabcProblem as problem:
            if problem.status == 415 and problem.type.endswith("/unknown-format") and not candidate.explicit:
                return replace(unsent, status="skipped", reason="no known evidence format")
            return replace(unsent, http_status=problem.status, problem=problem)
        except (CabcConnectionError, InvalidArgument) as error:
            return replace(unsent, reason=str(error))
        return replace(
            unsent,
            status="pushed",
            format=submission.evidence[0].format if submission.evidence else format_id,
            http_status=200 if submission.replayed else 201,
            submission_id=submission.id,
            evidence=submission.evidence,
        )

    # Following delivery ----------------------------------------------------------------------------------------------

    def get_evidence(self, evidence_id: str) -> Evidence:
        """Digests and delivery state (with the auditor's signed receipt once delivered)."""
        answer = self._transport.request("GET", f"/v1/evidence/{_path_segment('evidence_id', evidence_id)}")
        return Evidence.from_json(_object(answer.body))

    def list_evidence(
        self, toe: Optional[str] = None, *, limit: int = 50, cursor: Optional[str] = None
    ) -> EvidencePage:
        """The organization's evidence at the collector, newest first, optionally of one ToE."""
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 200:
            raise InvalidArgument("limit", "a whole number from 1 to 200")
        query = [("limit", str(limit))]
        if toe is not None:
            query.append(("toe", arguments.toe(toe)))
        if cursor is not None:
            if not isinstance(cursor, str) or not 1 <= len(cursor) <= 512:
                raise InvalidArgument("cursor", "the next_cursor of a previous page")
            query.append(("cursor", cursor))
        answer = self._transport.request("GET", "/v1/evidence", query=query)
        return EvidencePage.from_json(answer.body if isinstance(answer.body, Mapping) else {})

    def get_submission(self, submission_id: str) -> Submission:
        answer = self._transport.request("GET", f"/v1/submissions/{_path_segment('submission_id', submission_id)}")
        return Submission.from_json(_object(answer.body))

    def wait_for_delivery(
        self,
        evidence: Union[Evidence, Submission, PushReport, Iterable[Union[Evidence, str]]],
        *,
        timeout: float = 60.0,
        interval: float = 0.5,
    ) -> List[Evidence]:
        """Waits until the auditor's assessment service acknowledged every piece of evidence (signed receipt).

        Raises DeliveryRejected when it refused one (e.g. a collector key its approved scope does not list) and
        DeliveryTimeout when some are still pending after `timeout` seconds.
        """
        ids = _evidence_ids(evidence)
        limit = arguments.positive_number("timeout", timeout)
        pause = arguments.positive_number("interval", interval)
        deadline = time.monotonic() + limit
        delivered: dict[str, Evidence] = {}
        while True:
            for evidence_id in ids:
                if evidence_id in delivered:
                    continue
                current = self.get_evidence(evidence_id)
                if current.delivery.status == "rejected":
                    raise DeliveryRejected(evidence_id, current.delivery.last_error)
                if current.delivery.status == "delivered":
                    delivered[evidence_id] = current
            if len(delivered) == len(ids):
                return [delivered[evidence_id] for evidence_id in ids]
            if time.monotonic() >= deadline:
                raise DeliveryTimeout([item for item in ids if item not in delivered], limit)
            self._sleep(pause)


def _collector_url(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentType("collector_url", f"a URL, got {type(value).__name__}")
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InvalidArgument("collector_url", f"{value!r} is not an http(s) base URL such as https://collector:8081")
    return value.rstrip("/")


def _named(argument: str, name: str) -> str:
    try:
        checked = arguments.filename(name)
    except InvalidArgument:
        raise InvalidArgument(argument, f"{name!r}: a file name of 1 to 256 characters without directories") from None
    return checked or "file"


def _read(file: object, filename: Optional[str], *, argument: str = "file") -> Tuple[bytes, Optional[str]]:
    """The bytes to send and the file name that goes with them (a format hint for the collector)."""
    if isinstance(file, (bytes, bytearray, memoryview)):
        content = bytes(file)
        name = filename
    elif isinstance(file, (str, os.PathLike)):
        path = os.fspath(file)
        if not isinstance(path, str):
            raise InvalidArgumentType(argument, "a text path")
        if not os.path.isfile(path):
            raise InvalidArgument(argument, f"{path}: no such file")
        with open(path, "rb") as opened:
            content = opened.read()
        name = filename or os.path.basename(path)
    else:
        raise InvalidArgumentType(argument, f"a path or bytes, got {type(file).__name__}")
    if not content.strip():
        raise InvalidArgument(argument, "the file is empty")
    return content, name


def _object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping) or "id" not in body:
        raise CabcProblem(502, "Bad answer", "the collector's answer is not the evidence or submission JSON expected")
    return body


def _path_segment(argument: str, value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > 256:
        raise InvalidArgument(argument, "an id such as 0b9c1f9e-…")
    return urllib.parse.quote(value, safe="")


def _evidence_ids(value: object) -> List[str]:
    if isinstance(value, Evidence):
        return [value.id]
    if isinstance(value, Submission):
        return [item.id for item in value.evidence]
    if isinstance(value, PushReport):
        return [item.id for item in value.evidence]
    if isinstance(value, (str, bytes)):
        raise InvalidArgumentType("evidence", "an Evidence, a Submission, a PushReport or a list of them or of ids")
    if not isinstance(value, Iterable):
        raise InvalidArgumentType("evidence", f"{type(value).__name__} is not evidence")
    ids = []
    for index, item in enumerate(value):
        if isinstance(item, Evidence):
            ids.append(item.id)
        elif isinstance(item, str) and item:
            ids.append(item)
        else:
            raise InvalidArgumentType(f"evidence[{index}]", "an Evidence or an evidence id")
    if not ids:
        raise InvalidArgument("evidence", "nothing to wait for")
    return ids
