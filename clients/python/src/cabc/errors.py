"""What the SDK raises: bad arguments (before anything is sent), the collector's problem answers, no answer at all."""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Mapping, Optional, Sequence, Tuple


class InvalidArgument(ValueError):
    """An argument has the right type but a value the collector would refuse; raised before anything is sent."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument


class InvalidArgumentType(TypeError):
    """An argument has a type the SDK cannot send; raised before anything is sent."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument


class CabcError(Exception):
    """Base class of the errors that come from talking to the collector."""


@dataclass(frozen=True)
class FieldError:
    """One entry of a problem's `errors`: where the cause is (`subject`, `query:model`, `file[2]`) and what it is."""

    field: str
    message: str


_KNOWN_MEMBERS = ("type", "title", "status", "detail", "instance", "requestId", "errors")


class CabcProblem(CabcError):
    """An RFC 9457 `application/problem+json` answer (or any other error answer) from the collector."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        type: str = "about:blank",
        instance: Optional[str] = None,
        request_id: Optional[str] = None,
        errors: Sequence[FieldError] = (),
        extensions: Optional[Mapping[str, Any]] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.instance = instance
        self.request_id = request_id
        self.errors: Tuple[FieldError, ...] = tuple(errors)
        self.extensions: Mapping[str, Any] = dict(extensions or {})
        self.retry_after = retry_after
        super().__init__(str(self))

    @property
    def fields(self) -> Tuple[str, ...]:
        """The fields the problem names, e.g. `("subject",)`."""
        return tuple(error.field for error in self.errors)

    def __str__(self) -> str:
        where = f" [{', '.join(self.fields)}]" if self.errors else ""
        return f"HTTP {self.status} {self.title}: {self.detail}{where}"

    def __repr__(self) -> str:
        return f"CabcProblem(status={self.status!r}, type={self.type!r}, title={self.title!r}, fields={self.fields!r})"

    def to_dict(self) -> dict[str, Any]:
        """The problem as the collector sent it (the CLI's `--json` `problem` member)."""
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail}
        if self.instance is not None:
            body["instance"] = self.instance
        if self.request_id is not None:
            body["requestId"] = self.request_id
        if self.errors:
            body["errors"] = [{"field": error.field, "message": error.message} for error in self.errors]
        body.update(self.extensions)
        return body

    @classmethod
    def from_response(
        cls, status: int, body: bytes, *, content_type: str = "", retry_after: Optional[float] = None
    ) -> CabcProblem:
        """Reads a problem+json body; any other body becomes a problem with the HTTP reason as title."""
        reason = _reason(status)
        document: Any = None
        try:
            document = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            document = None
        if not isinstance(document, dict):
            text = body.decode("utf-8", errors="replace").strip()[:500]
            detail = text or f"the collector answered HTTP {status} without a body"
            kind = "problem" if "json" in content_type else "answer"
            return cls(status, reason, f"{detail} (not a problem+json {kind})", retry_after=retry_after)
        errors = [
            FieldError(str(item.get("field", "")), str(item.get("message", "")))
            for item in document.get("errors") or []
            if isinstance(item, dict)
        ]
        return cls(
            status,
            str(document.get("title") or reason),
            str(document.get("detail") or ""),
            type=str(document.get("type") or "about:blank"),
            instance=_text_or_none(document.get("instance")),
            request_id=_text_or_none(document.get("requestId")),
            errors=errors,
            extensions={key: value for key, value in document.items() if key not in _KNOWN_MEMBERS},
            retry_after=retry_after,
        )


class CabcConnectionError(CabcError):
    """The collector could not be reached (or kept failing) through every attempt of the retry policy."""

    def __init__(self, message: str, *, attempts: int, cause: Optional[BaseException] = None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.cause = cause


class DeliveryRejected(CabcError):
    """The auditor's assessment service refused evidence the collector had accepted (`delivery.status` rejected)."""

    def __init__(self, evidence_id: str, reason: Optional[str]) -> None:
        super().__init__(
            f"evidence {evidence_id} was rejected by the assessment service: {reason or 'no reason given'}"
        )
        self.evidence_id = evidence_id
        self.reason = reason


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _text_or_none(value: Any) -> Optional[str]:
    return None if value is None else str(value)


class DeliveryTimeout(CabcError, TimeoutError):
    """Evidence was still on its way to the assessment service when `wait_for_delivery` gave up."""

    def __init__(self, evidence_ids: Sequence[str], timeout: float) -> None:
        super().__init__(f"not delivered within {timeout:g} s: {', '.join(evidence_ids)}")
        self.evidence_ids = tuple(evidence_ids)
