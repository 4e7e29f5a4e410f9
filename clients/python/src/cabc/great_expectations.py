"""Push a Great Expectations validation: an ExpectationSuiteValidationResult or a CheckpointResult (0.x and 1.x).

Great Expectations is never imported here: each validation result's `to_json_dict()` is the file the collector's
`great-expectations` adapter reads. A checkpoint's several results go in one request: all are stored or none.
"""

from __future__ import annotations

import os
from typing import Any, List, Mapping, Optional, Tuple

from . import arguments
from ._native import json_bytes, loaded
from .answers import Submission
from .client import Client, Subjects
from .errors import InvalidArgument


def _one(value: Any, argument: str) -> dict[str, Any]:
    convert = getattr(value, "to_json_dict", None)
    document = convert() if callable(convert) else loaded(value, argument)
    if not isinstance(document, Mapping) or not isinstance(document.get("results"), list):
        raise InvalidArgument(argument, "not a Great Expectations validation result (no results list)")
    return dict(document)


def validation_documents(result: Any) -> List[dict[str, Any]]:
    """The validation results in `result`: itself, or each of a checkpoint result's `run_results`."""
    if isinstance(result, (str, bytes, os.PathLike)):
        result = loaded(result, "result")
    run_results = result.get("run_results") if isinstance(result, Mapping) else getattr(result, "run_results", None)
    if run_results is None:
        return [_one(result, "result")]
    if not isinstance(run_results, Mapping) or not run_results:
        raise InvalidArgument("result", "a checkpoint result without run_results")
    documents = []
    for index, value in enumerate(run_results.values()):
        # 0.x: {"validation_result": ..., "actions_results": ...}; 1.x: the validation result itself.
        inner = value.get("validation_result", value) if isinstance(value, Mapping) else value
        documents.append(_one(inner, f"result.run_results[{index}]"))
    return documents


def push_validation(
    client: Client,
    result: Any,
    *,
    toe: str,
    subject: Subjects,
    idempotency_key: Optional[str] = None,
) -> Submission:
    """Pushes the validation's `data_quality` evidence about `subject` (the model or dataset it guards)."""
    toe_id = arguments.toe(toe)
    subjects = arguments.subjects(subject, required=True)
    files: List[Tuple[str, bytes]] = [
        (f"validation-{index + 1}.json", json_bytes(document, "result"))
        for index, document in enumerate(validation_documents(result))
    ]
    if len(files) == 1:
        return client.push_file(
            toe_id,
            files[0][1],
            subject=subjects,
            format="great-expectations",
            filename=files[0][0],
            idempotency_key=idempotency_key,
        )
    return client.push_files(
        toe_id, files, subject=subjects, format="great-expectations", idempotency_key=idempotency_key
    )
