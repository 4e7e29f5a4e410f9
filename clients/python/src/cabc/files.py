"""Which files to push: the arguments as given, directories walked as the Node CLI walks them."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterable, List, Union

from .errors import InvalidArgument

#: Names the collector's adapters can read (JSON, YAML, Markdown with front matter, MLflow's MLmodel).
_EVIDENCE_NAME = re.compile(r"(\.(json|jsonl|ya?ml|md|markdown)$)|(^MLmodel$)", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    path: str
    #: Named by the caller (a file of no known format is then a rejection) rather than found in a directory (skipped).
    explicit: bool


def media_type_of(name: str) -> str:
    base = os.path.basename(name)
    lower = base.lower()
    if lower.endswith(".json"):
        return "application/json"
    if lower.endswith((".yaml", ".yml")) or base == "MLmodel":
        return "application/yaml"
    if lower.endswith((".md", ".markdown")):
        return "text/markdown"
    return "application/octet-stream"


def may_be_evidence(name: str) -> bool:
    """Whether a file found in a directory is worth sending; logs, plots and model binaries are skipped unsent."""
    return bool(_EVIDENCE_NAME.search(os.path.basename(name)))


def collect_files(paths: Iterable[Union[str, os.PathLike[str]]]) -> List[Candidate]:
    """Files as given; directories walked recursively, sorted by name, hidden entries left out."""
    found: List[Candidate] = []

    def walk(directory: str) -> None:
        with os.scandir(directory) as entries:
            for entry in sorted(entries, key=lambda item: item.name):
                if entry.name.startswith("."):
                    continue
                if entry.is_dir():
                    walk(entry.path)
                elif entry.is_file():
                    found.append(Candidate(entry.path, explicit=False))

    for given in paths:
        path = os.fspath(given)
        if os.path.isdir(path):
            walk(path)
        elif os.path.isfile(path):
            found.append(Candidate(path, explicit=True))
        else:
            raise InvalidArgument("paths", f"{path}: no such file or directory")
    return found
