"""The parts of a piece of evidence a pipeline hands over: subjects, measurements, checks, producer and context."""

from __future__ import annotations

import hashlib
import math
import numbers
import os
import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Tuple, Union

from .errors import InvalidArgument, InvalidArgumentType
from .vocabulary import CHECK_STATUSES

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_REFERENCE = re.compile(r"^(.{1,512})@sha256:([0-9a-fA-F]{64})$", re.DOTALL)

#: A measured value: a finite number, text (at most 1024 characters), a boolean, or None for "not measured".
MeasurementValue = Union[int, float, str, bool, None]


@dataclass(frozen=True)
class Subject:
    """An artefact the evidence is about (a model, a dataset), named by its sha256: the in-toto statement's subject."""

    name: str
    sha256: str
    uri: Optional[str] = None

    def __post_init__(self) -> None:
        _text("subject.name", self.name, 512)
        if not isinstance(self.sha256, str) or not _SHA256.match(self.sha256):
            raise InvalidArgument("subject.sha256", f"{self.sha256!r} is not 64 hexadecimal digits (a sha256)")
        object.__setattr__(self, "sha256", self.sha256.lower())
        if self.uri is not None:
            _text("subject.uri", self.uri, 2048)

    @classmethod
    def parse(cls, reference: str) -> Subject:
        """`name@sha256:<64 hex>`, the form the CLI's `--model` and the collector's `model=` take."""
        match = _REFERENCE.match(reference) if isinstance(reference, str) else None
        if not match:
            raise InvalidArgument("subject", f"{reference!r}: expected <name>@sha256:<64 hex digits>")
        return cls(match.group(1), match.group(2))

    @classmethod
    def from_file(cls, path: Union[str, os.PathLike[str]], name: Optional[str] = None) -> Subject:
        """The file's sha256, named after the file unless `name` is given (e.g. the model file a pipeline trained)."""
        digest = hashlib.sha256()
        with open(path, "rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
        return cls(name or os.path.basename(os.fspath(path)), digest.hexdigest())

    @property
    def reference(self) -> str:
        return f"{self.name}@sha256:{self.sha256}"

    def descriptor(self) -> dict[str, Any]:
        """The in-toto ResourceDescriptor."""
        descriptor: dict[str, Any] = {"name": self.name, "digest": {"sha256": self.sha256}}
        if self.uri is not None:
            descriptor["uri"] = self.uri
        return descriptor


#: What the SDK accepts as a subject: a Subject, `"name@sha256:<hex>"`, `(name, sha256)`, or an in-toto descriptor.
SubjectLike = Union[Subject, str, Tuple[str, str], Mapping[str, Any]]


@dataclass(frozen=True)
class Measurement:
    """An observed value; `slice` names the part of the data it is about (a column, a group, an attack)."""

    name: str
    value: MeasurementValue
    unit: Optional[str] = None
    slice: Optional[str] = None

    def __post_init__(self) -> None:
        _text("measurement.name", self.name, 256)
        argument = f"measurement {self.name!r}"
        value = self.value
        if isinstance(value, str):
            if len(value) > 1024:
                raise InvalidArgument(argument, "text values are at most 1024 characters")
        elif value is not None and not isinstance(value, bool):
            object.__setattr__(self, "value", finite_number(argument, value))
        if self.unit is not None:
            _text(f"{argument}.unit", self.unit, 256)
        if self.slice is not None:
            _text(f"{argument}.slice", self.slice, 256)

    def to_json(self) -> dict[str, Any]:
        # `value` stays even when None: null is "not measured", which the collector keeps.
        return {"name": self.name, "value": self.value, **_without_none({"unit": self.unit, "slice": self.slice})}


@dataclass(frozen=True)
class Check:
    """A verdict the tool already reached: `pass`, `warn`, `fail`, or `error` (could not be evaluated)."""

    name: str
    status: str
    detail: Optional[str] = None

    def __post_init__(self) -> None:
        _text("check.name", self.name, 256)
        if self.status not in CHECK_STATUSES:
            raise InvalidArgument(f"check {self.name!r}.status", f"{self.status!r}; expected one of {CHECK_STATUSES}")
        if self.detail is not None and (not isinstance(self.detail, str) or len(self.detail) > 4096):
            raise InvalidArgument(f"check {self.name!r}.detail", "text of at most 4096 characters")

    def to_json(self) -> dict[str, Any]:
        return _without_none({"name": self.name, "status": self.status, "detail": self.detail})


@dataclass(frozen=True)
class Producer:
    """The tool that made the observation, and the run that produced it."""

    tool: str
    tool_version: Optional[str] = None
    pipeline_run_id: Optional[str] = None
    uri: Optional[str] = None

    def __post_init__(self) -> None:
        _text("producer.tool", self.tool, 256)
        if self.tool_version is not None:
            _text("producer.tool_version", self.tool_version, 256)
        if self.pipeline_run_id is not None:
            _text("producer.pipeline_run_id", self.pipeline_run_id, 256)
        if self.uri is not None:
            _text("producer.uri", self.uri, 2048)

    def to_json(self) -> dict[str, Any]:
        return _without_none(
            {
                "tool": self.tool,
                "toolVersion": self.tool_version,
                "pipelineRunId": self.pipeline_run_id,
                "uri": self.uri,
            }
        )


@dataclass(frozen=True)
class Context:
    """The data the observation was made on (`dataset`, `split`, `slice`) and where it ran (`environment`)."""

    dataset: Optional[str] = None
    split: Optional[str] = None
    slice: Optional[str] = None
    environment: Optional[str] = None

    def __post_init__(self) -> None:
        for name in ("dataset", "split", "slice", "environment"):
            value = getattr(self, name)
            if value is not None:
                _text(f"context.{name}", value, 256)

    def to_json(self) -> dict[str, Any]:
        return _without_none(
            {"dataset": self.dataset, "split": self.split, "slice": self.slice, "environment": self.environment}
        )


def finite_number(argument: str, value: object) -> Union[int, float]:
    """An int or a finite float (numpy scalars included); booleans, text and NaN are refused, naming `argument`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidArgumentType(argument, f"{value!r} ({type(value).__name__}) is not a number")
    if isinstance(value, numbers.Integral):
        return int(value)
    number = float(value)
    if not math.isfinite(number):
        raise InvalidArgument(argument, f"{number} is not a finite number (pass None for 'not measured')")
    return number


def _text(argument: str, value: object, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentType(argument, f"expected text, got {type(value).__name__}")
    if not 1 <= len(value) <= limit:
        raise InvalidArgument(argument, f"expected 1 to {limit} characters, got {len(value)}")
    return value


def _without_none(members: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in members.items() if value is not None}
