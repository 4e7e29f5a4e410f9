"""Turns a tool's Python object into the JSON file the collector's adapters read, without importing the tool."""

from __future__ import annotations

import json
import math
import os
from datetime import date, datetime
from typing import Any, Mapping, Sequence

from .errors import InvalidArgument, InvalidArgumentType


def plain(value: Any, argument: str, depth: int = 0) -> Any:
    """JSON-ready data: NaN and infinities become None (not measured), numpy scalars and arrays plain numbers."""
    if depth > 64:
        raise InvalidArgument(argument, "nested deeper than 64 levels")
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(key): plain(item, argument, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(item, argument, depth + 1) for item in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    # Tool objects (to_dictionary, to_dict), numpy and pandas scalars (item) and arrays (tolist), none imported here.
    for method in ("to_dictionary", "to_json_dict", "to_dict", "item", "tolist"):
        convert = getattr(value, method, None)
        if callable(convert):
            try:
                return plain(convert(), argument, depth + 1)
            except (TypeError, ValueError):
                pass
    raise InvalidArgumentType(argument, f"{type(value).__name__} cannot be written as JSON")


def json_bytes(value: Any, argument: str) -> bytes:
    return json.dumps(plain(value, argument), ensure_ascii=False, allow_nan=False).encode("utf-8")


def loaded(value: Any, argument: str) -> Any:
    """A JSON document given as a file path, JSON text or bytes, parsed; anything else is returned as it is."""
    if isinstance(value, (bytes, bytearray)):
        return _parse(bytes(value).decode("utf-8", errors="strict"), argument)
    if isinstance(value, os.PathLike) or (isinstance(value, str) and not value.lstrip().startswith(("{", "["))):
        path = os.fspath(value)
        if not os.path.isfile(path):
            raise InvalidArgument(argument, f"{path}: no such file (or not JSON text)")
        with open(path, encoding="utf-8") as file:
            return _parse(file.read(), argument)
    if isinstance(value, str):
        return _parse(value, argument)
    return value


def _parse(text: str, argument: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise InvalidArgument(argument, f"not JSON: {error}") from None


def call_first(value: Any, methods: Sequence[str]) -> Any:
    """The result of the first of `methods` the object has, or the object itself when it has none of them."""
    for method in methods:
        convert = getattr(value, method, None)
        if callable(convert):
            return convert()
    return value
