"""Push an Evidently report: a 0.7+ snapshot (what `Report.run(...)` returns) or a legacy Report / TestSuite.

Evidently is never imported here: the object's own `json()` (or `dict()` / `as_dict()`) gives the file the
collector's Evidently adapters read, and the collector tells the three formats apart.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from . import arguments
from ._native import json_bytes, loaded
from .answers import Submission
from .client import Client, Subjects
from .errors import InvalidArgument, InvalidArgumentType


def report_document(report_or_snapshot: Any) -> bytes:
    """The report as the JSON Evidently writes; refuses what is not an Evidently report or snapshot."""
    value = report_or_snapshot
    to_json = getattr(value, "json", None)
    if callable(to_json) and not isinstance(value, (str, bytes)):
        text = to_json()
        document = json.loads(text) if isinstance(text, (str, bytes)) else text
    elif not isinstance(value, (str, bytes, dict)) and callable(getattr(value, "run", None)):
        raise InvalidArgumentType(
            "report_or_snapshot",
            "an Evidently 0.7+ Report is the definition: pass the snapshot that report.run(current, reference) returns",
        )
    else:
        for method in ("dict", "as_dict"):
            convert = getattr(value, method, None)
            if callable(convert) and not isinstance(value, dict):
                value = convert()
                break
        document = loaded(value, "report_or_snapshot")
    if not isinstance(document, dict) or not isinstance(document.get("metrics", document.get("tests")), list):
        raise InvalidArgument(
            "report_or_snapshot", "not an Evidently report, test suite or snapshot (no metrics/tests)"
        )
    return json_bytes(document, "report_or_snapshot")


def push_report(
    client: Client,
    report_or_snapshot: Any,
    *,
    toe: str,
    subject: Subjects,
    filename: Optional[str] = None,
    idempotency_key: Optional[str] = None,
) -> Submission:
    """Pushes the report's evidence (drift, data quality, performance, ...) about `subject` (the model)."""
    toe_id = arguments.toe(toe)
    subjects = arguments.subjects(subject, required=True)
    return client.push_file(
        toe_id,
        report_document(report_or_snapshot),
        subject=subjects,
        filename=filename or "evidently-report.json",
        idempotency_key=idempotency_key,
    )
