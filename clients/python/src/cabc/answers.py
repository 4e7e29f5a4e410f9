"""The collector's answers as typed objects: evidence with its delivery state, and submissions of native files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple


@dataclass(frozen=True)
class Delivery:
    """Where the signed evidence is on its way to the auditor: `pending`, `delivered` (with a receipt) or `rejected`."""

    status: str
    attempts: int = 0
    last_error: Optional[str] = None
    delivered_at: Optional[str] = None
    #: The assessment service's answer once delivered: evidence id, ledger index and its signed receipt.
    receipt: Optional[Mapping[str, Any]] = None

    @classmethod
    def from_json(cls, value: Any) -> Delivery:
        data = value if isinstance(value, Mapping) else {}
        receipt = data.get("receipt")
        return cls(
            status=str(data.get("status", "pending")),
            attempts=int(data.get("attempts") or 0),
            last_error=data.get("lastError"),
            delivered_at=data.get("deliveredAt"),
            receipt=receipt if isinstance(receipt, Mapping) else None,
        )


@dataclass(frozen=True)
class Evidence:
    """One signed in-toto statement the collector made, and its delivery state."""

    id: str
    submission_id: str
    toe: str
    kind: str
    envelope_sha256: str
    statement_sha256: str
    created_at: str
    delivery: Delivery
    #: The adapter format of the native file it came from; None for unified evidence.
    format: Optional[str] = None
    file: Optional[str] = None
    #: sha256 of the untouched tool output (`GET /v1/raw/{sha256}`); None for unified evidence.
    raw_sha256: Optional[str] = None
    #: True when the collector answered an Idempotency-Key replay (200): nothing new was stored.
    replayed: bool = False

    @classmethod
    def from_json(cls, value: Mapping[str, Any], *, replayed: bool = False) -> Evidence:
        return cls(
            id=str(value["id"]),
            submission_id=str(value.get("submissionId", "")),
            toe=str(value.get("toe", "")),
            kind=str(value.get("kind", "")),
            envelope_sha256=str(value.get("envelopeSha256", "")),
            statement_sha256=str(value.get("statementSha256", "")),
            created_at=str(value.get("createdAt", "")),
            delivery=Delivery.from_json(value.get("delivery")),
            format=value.get("format"),
            file=value.get("file"),
            raw_sha256=value.get("rawSha256"),
            replayed=replayed,
        )

    def to_json(self) -> dict[str, Any]:
        """The member the CLI's `--json` report lists per evidence."""
        return {
            "id": self.id,
            "kind": self.kind,
            "envelopeSha256": self.envelope_sha256,
            "statementSha256": self.statement_sha256,
            "rawSha256": self.raw_sha256,
            "delivery": self.delivery.status,
        }


@dataclass(frozen=True)
class Submission:
    """One upload of native tool output files and the evidence items they yielded, in file order."""

    id: str
    toe: str
    created_at: str
    evidence: Tuple[Evidence, ...] = field(default_factory=tuple)
    replayed: bool = False

    @classmethod
    def from_json(cls, value: Mapping[str, Any], *, replayed: bool = False) -> Submission:
        items = value.get("evidence") or []
        return cls(
            id=str(value["id"]),
            toe=str(value.get("toe", "")),
            created_at=str(value.get("createdAt", "")),
            evidence=tuple(Evidence.from_json(item, replayed=replayed) for item in items if isinstance(item, Mapping)),
            replayed=replayed,
        )

    @property
    def kinds(self) -> Tuple[str, ...]:
        return tuple(item.kind for item in self.evidence)


@dataclass(frozen=True)
class EvidencePage:
    """A page of the organization's evidence, newest first; `next_cursor` fetches the next page (None: the last)."""

    items: Tuple[Evidence, ...]
    next_cursor: Optional[str] = None

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> EvidencePage:
        items = value.get("items") or []
        cursor = value.get("nextCursor")
        return cls(
            tuple(Evidence.from_json(item) for item in items if isinstance(item, Mapping)),
            str(cursor) if cursor else None,
        )
