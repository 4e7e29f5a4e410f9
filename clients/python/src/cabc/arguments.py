"""Checks the arguments of every SDK call before anything is sent, naming the argument at fault."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Iterable, List, Mapping, Optional, Union

from .errors import InvalidArgument, InvalidArgumentType
from .evidence import Check, Context, Measurement, Producer, Subject, SubjectLike, finite_number
from .vocabulary import EVIDENCE_KINDS, FORMATS

_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_FILENAME = re.compile(r"^[^/\\\x00-\x1f]{1,256}$")
_ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")

#: At most this many subjects, measurements and checks in one piece of evidence (the collector's limits).
MAX_SUBJECTS = 64
MAX_ITEMS = 10_000


def toe(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentType("toe", f"the target of evaluation id is text, got {type(value).__name__}")
    if not 1 <= len(value) <= 256:
        raise InvalidArgument("toe", "the target of evaluation id is 1 to 256 characters")
    return value


def kind(value: object) -> str:
    if not isinstance(value, str) or value not in EVIDENCE_KINDS:
        raise InvalidArgument("kind", f"{value!r} is not an evidence kind; expected one of {', '.join(EVIDENCE_KINDS)}")
    return value


def format_id(value: object) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or value not in FORMATS:
        raise InvalidArgument("format", f"{value!r} is not a known format; expected one of {', '.join(FORMATS)}")
    return value


def subjects(value: Union[SubjectLike, Iterable[SubjectLike], None], *, required: bool) -> List[Subject]:
    """One subject or several, in any accepted form; `required` for unified evidence (the statement needs one)."""
    if value is None:
        items: List[Any] = []
    elif isinstance(value, (Subject, str, Mapping)) or (isinstance(value, tuple) and _is_pair(value)):
        items = [value]
    else:
        try:
            items = list(value)
        except TypeError:
            raise InvalidArgumentType("subject", f"{type(value).__name__} is not a subject") from None
    if required and not items:
        raise InvalidArgument("subject", "name the model or dataset the evidence is about (name@sha256:<hex>)")
    if len(items) > MAX_SUBJECTS:
        raise InvalidArgument("subject", f"at most {MAX_SUBJECTS} subjects, got {len(items)}")
    return [_subject(item, f"subject[{index}]" if len(items) > 1 else "subject") for index, item in enumerate(items)]


def _is_pair(value: tuple[Any, ...]) -> bool:
    return len(value) == 2 and all(isinstance(part, str) for part in value)


def _subject(item: object, argument: str) -> Subject:
    try:
        if isinstance(item, Subject):
            return item
        if isinstance(item, str):
            return Subject.parse(item)
        if isinstance(item, tuple) and _is_pair(item):
            return Subject(item[0], item[1])
        if isinstance(item, Mapping):
            digest = item.get("digest")
            sha256 = digest.get("sha256") if isinstance(digest, Mapping) else item.get("sha256")
            if sha256 is None:
                raise InvalidArgument(argument, "an in-toto subject needs digest.sha256")
            return Subject(item.get("name"), sha256, item.get("uri"))  # type: ignore[arg-type]
    except InvalidArgument as error:
        raise InvalidArgument(argument, str(error).split(": ", 1)[-1]) from None
    except InvalidArgumentType as error:
        raise InvalidArgumentType(argument, str(error).split(": ", 1)[-1]) from None
    raise InvalidArgumentType(argument, f"{type(item).__name__} is not a subject (Subject, 'name@sha256:<hex>', ...)")


def metrics(value: object) -> List[Measurement]:
    """`{name: number}` for push_metrics: every value a finite number or None."""
    if not isinstance(value, Mapping):
        raise InvalidArgumentType("metrics", f"a mapping of metric names to numbers, got {type(value).__name__}")
    if not value:
        raise InvalidArgument("metrics", "at least one metric")
    if len(value) > MAX_ITEMS:
        raise InvalidArgument("metrics", f"at most {MAX_ITEMS} metrics, got {len(value)}")
    result = []
    for name, number in value.items():
        if not isinstance(name, str):
            raise InvalidArgumentType("metrics", f"metric names are text, got {name!r}")
        argument = f"metrics[{name!r}]"
        result.append(Measurement(name, None if number is None else finite_number(argument, number)))
    return result


def measurements(value: Iterable[Union[Measurement, Mapping[str, Any]]]) -> List[Measurement]:
    items = _listed("measurements", value)
    return [_item(Measurement, "measurements", index, item) for index, item in enumerate(items)]


def checks(value: Iterable[Union[Check, Mapping[str, Any]]]) -> List[Check]:
    items = _listed("checks", value)
    return [_item(Check, "checks", index, item) for index, item in enumerate(items)]


def _listed(argument: str, value: object) -> List[Any]:
    if isinstance(value, (str, bytes, Mapping)):
        raise InvalidArgumentType(argument, f"a list, got {type(value).__name__}")
    if not isinstance(value, Iterable):
        raise InvalidArgumentType(argument, f"a list, got {type(value).__name__}")
    items: List[Any] = list(value)
    if len(items) > MAX_ITEMS:
        raise InvalidArgument(argument, f"at most {MAX_ITEMS}, got {len(items)}")
    return items


def _item(cls: Any, argument: str, index: int, item: object) -> Any:
    if isinstance(item, cls):
        return item
    if not isinstance(item, Mapping):
        raise InvalidArgumentType(f"{argument}[{index}]", f"a {cls.__name__} or a mapping, got {type(item).__name__}")
    try:
        return cls(**item)
    except TypeError as error:
        if isinstance(error, InvalidArgumentType):
            raise
        raise InvalidArgumentType(f"{argument}[{index}]", str(error)) from None


def producer(value: Union[Producer, Mapping[str, Any], str, None], default: Producer) -> Producer:
    if value is None:
        return default
    if isinstance(value, Producer):
        return value
    if isinstance(value, str):
        return Producer(value, pipeline_run_id=default.pipeline_run_id)
    if isinstance(value, Mapping):
        try:
            return Producer(**value)
        except TypeError as error:
            if isinstance(error, InvalidArgumentType):
                raise
            raise InvalidArgumentType("producer", str(error)) from None
    raise InvalidArgumentType("producer", f"a Producer, a mapping or a tool name, got {type(value).__name__}")


def context(value: Union[Context, Mapping[str, Any], None]) -> Context:
    if value is None:
        return Context()
    if isinstance(value, Context):
        return value
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - {"dataset", "split", "slice", "environment"})
        if unknown:
            raise InvalidArgument(
                "context", f"unknown member {unknown[0]!r}; expected dataset, split, slice, environment"
            )
        return Context(**value)
    raise InvalidArgumentType("context", f"a Context or a mapping, got {type(value).__name__}")


def observed_at(value: Union[datetime, str, None], now: datetime) -> str:
    """ISO 8601 with an offset; a naive datetime is refused (its time zone would be a guess)."""
    if value is None:
        value = now
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise InvalidArgument("observed_at", "a timezone-aware datetime (e.g. datetime.now(timezone.utc))")
        return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, str):
        if not _ISO_WITH_OFFSET.match(value):
            raise InvalidArgument("observed_at", f"{value!r} is not ISO 8601 with an offset (2026-01-31T09:00:00Z)")
        return value
    raise InvalidArgumentType("observed_at", f"a datetime or ISO 8601 text, got {type(value).__name__}")


def idempotency_key(value: object) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or not _IDEMPOTENCY_KEY.match(value):
        raise InvalidArgument("idempotency_key", "1 to 128 letters, digits and . _ : - only")
    return value


def filename(value: object) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or not _FILENAME.match(value):
        raise InvalidArgument("filename", f"{value!r}: a file name of 1 to 256 characters without directories")
    return value


def positive_number(argument: str, value: object) -> float:
    number = finite_number(argument, value)
    if number <= 0:
        raise InvalidArgument(argument, f"must be positive, got {number}")
    return float(number)
