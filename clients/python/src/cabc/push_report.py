"""What happened to each file of a push: the report `python -m cabc push --json` prints (the Node CLI's shape)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Tuple

from .answers import Evidence
from .errors import CabcProblem


@dataclass(frozen=True)
class PushedFile:
    path: str
    #: `pushed`, `rejected` (by the collector, or not sent) or `skipped` (found in a directory, not evidence).
    status: str
    #: The format the collector read the file as; None when it was not read.
    format: Optional[str] = None
    bytes: Optional[int] = None
    sha256: Optional[str] = None
    http_status: Optional[int] = None
    submission_id: Optional[str] = None
    evidence: Tuple[Evidence, ...] = field(default_factory=tuple)
    problem: Optional[CabcProblem] = None
    #: Why a file was skipped, or rejected without an answer.
    reason: Optional[str] = None

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"path": self.path, "format": self.format, "status": self.status}
        optional = {
            "bytes": self.bytes,
            "sha256": self.sha256,
            "httpStatus": self.http_status,
            "submissionId": self.submission_id,
            "evidence": [item.to_json() for item in self.evidence] if self.status == "pushed" else None,
            "problem": self.problem.to_dict() if self.problem else None,
            "reason": self.reason,
        }
        document.update({key: value for key, value in optional.items() if value is not None})
        return document

    def line(self) -> str:
        """One line of the text output: `✓ path (format) → n evidence: kinds` or `✗ path: HTTP 422 ...`."""
        if self.status == "pushed":
            kinds = ", ".join(item.kind for item in self.evidence)
            return f"✓ {self.path} ({self.format}) → {len(self.evidence)} evidence: {kinds}"
        if self.status == "skipped":
            return f"- {self.path}: skipped, {self.reason}"
        why = str(self.problem) if self.problem else self.reason
        return f"✗ {self.path}{f' ({self.format})' if self.format else ''}: {why}"


@dataclass(frozen=True)
class PushReport:
    collector: str
    toe: str
    files: Tuple[PushedFile, ...]

    def count(self, status: str) -> int:
        return sum(1 for item in self.files if item.status == status)

    @property
    def evidence(self) -> Tuple[Evidence, ...]:
        return tuple(item for pushed in self.files for item in pushed.evidence)

    @property
    def ok(self) -> bool:
        """Every file pushed or skipped, and at least one pushed."""
        return self.count("rejected") == 0 and self.count("pushed") > 0

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "pushed": self.count("pushed"),
            "rejected": self.count("rejected"),
            "skipped": self.count("skipped"),
            "evidence": len(self.evidence),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "collector": self.collector,
            "toe": self.toe,
            "files": [item.to_json() for item in self.files],
            "summary": self.summary(),
        }
